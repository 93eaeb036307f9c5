"""The program settings page: name, PMI stage, reporting currency, internal sellers, onboarding reminders and
dormancy. Behind the program-setup door: channel managers read it, program admins change it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners.forms.program import ProgramSettingsForm
from partners.forms.setup import make_read_only
from partners.models import Program
from partners.services.settings import program_settings_update
from partners.views.setup import program_setup, setup_context
from prm.forms import attach_errors


@program_setup
def program_settings(request: HttpRequest) -> HttpResponse:
    program, _ = Program.objects.get_or_create(pk=1)
    if request.method != "POST":
        form = ProgramSettingsForm(instance=program)
        if not request.can_edit_program:  # type: ignore[attr-defined]
            make_read_only(form)
        return render(request, "partners/program/settings.html", setup_context(request, form=form))
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
    return render(request, "partners/program/settings.html", setup_context(request, form=form), status=400)
