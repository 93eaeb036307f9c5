"""The product catalogue managers keep (program setup): products partners pick from when they register a deal.
Registrations point to them through RegistrationProduct (PROTECT: a used product is retired, never deleted) and keep
their `products` text as the readable summary; `other_products` holds what was typed under "Other"."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dealreg", "0012_japanese_name_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="other_products",
            field=models.CharField(
                blank=True, help_text="What the partner wrote under “Other” (not in the catalogue).", max_length=200
            ),
        ),
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80)),
                (
                    "code",
                    models.CharField(
                        blank=True,
                        help_text="Your internal code, if you have one; partners see it.",
                        max_length=40,
                        verbose_name="SKU or code",
                    ),
                ),
                (
                    "description",
                    models.CharField(
                        blank=True,
                        help_text="One line partners read next to the name, to pick the right one.",
                        max_length=200,
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Retired products are no longer offered; registrations keep them.",
                        verbose_name="offered",
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, help_text="Position in the list partners pick from.")),
                ("retired_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ("order", "name"),
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("name"),
                        name="dealreg_product_name_ci_unique",
                        violation_error_message="There is already a product with this name.",
                    ),
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("code"),
                        condition=models.Q(("code", ""), _negated=True),
                        name="dealreg_product_code_ci_unique",
                        violation_error_message="Another product already has this code.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RegistrationProduct",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dealreg.product"
                    ),
                ),
                (
                    "registration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="dealreg.registration"
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="registration",
            name="catalogue_products",
            field=models.ManyToManyField(
                blank=True, related_name="registrations", through="dealreg.RegistrationProduct", to="dealreg.product"
            ),
        ),
        migrations.AddConstraint(
            model_name="registrationproduct",
            constraint=models.UniqueConstraint(
                fields=("registration", "product"), name="dealreg_registration_product_unique"
            ),
        ),
    ]
