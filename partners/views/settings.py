"""The program settings page (channel managers): name, PMI stage, reporting currency, internal sellers, onboarding
reminders and dormancy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners.forms.program import ProgramSettingsForm
from partners.models import Program
from partners.services.settings import program_settings_update
from prm.access import manager_required
from prm.forms import attach_errors


@manager_required
def program_settings(request: HttpRequest) -> HttpResponse:
    program, _ = Program.objects.get_or_create(pk=1)
    if request.method != "POST":
        form = ProgramSettingsForm(instance=program)
        return render(request, "partners/program/settings.html", {"form": form, "nav": "partners"})
    form = ProgramSettingsForm(request.POST, instance=Program.objects.get(pk=1))
    if form.is_valid():
        try:
            program_settings_update(
                actor=request.user, data={name: form.cleaned_data[name] for name in ProgramSettingsForm.Meta.fields}
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Program settings saved.")
            return redirect("manage:program_settings")
    return render(request, "partners/program/settings.html", {"form": form, "nav": "partners"}, status=400)
