"""A register names the view class of each page (as Wagtail's ModelViewSet does): a register that
needs one page done differently swaps that class, and the others stay."""

import pytest
from django.core.exceptions import PermissionDenied

from organisations.forms import OrganisationForm
from organisations.models import Organisation
from registers import registry
from registers.pages import Column, CreateView, DetailView, ListView, Register


class ShortDetailView(DetailView):
    pass


class ShortDetailRegister(Register):
    detail_view_class = ShortDetailView


@pytest.fixture
def register(monkeypatch):
    monkeypatch.setattr(registry, "REGISTER_PAGES", {})
    return ShortDetailRegister(model=Organisation, name="organisation", slug="organisations",
                               namespace="organisations", form_class=OrganisationForm,
                               columns=[Column("Name", "name")])


def test_it_swaps_one_view_class_and_keeps_the_others(register):
    views = {pattern.name: pattern.callback.view_class for pattern in register.urlpatterns()}
    assert views["organisation-detail"] is ShortDetailView
    assert views["organisation-list"] is ListView
    assert views["organisation-create"] is CreateView
    assert registry.REGISTER_PAGES == {"organisations:organisation": register}


def test_it_serves_the_swapped_page_with_the_same_access_check(register, rf, manager_user, partner_user,
                                                                organisation):
    request = rf.get(register.url("detail", organisation.pk))
    request.user = manager_user
    response = register.detail_view(request, pk=organisation.pk)
    assert response.status_code == 200
    assert organisation.name in response.content.decode()
    request.user = partner_user
    with pytest.raises(PermissionDenied):
        register.detail_view(request, pk=organisation.pk)


def test_a_list_with_pages_of_its_own_stays_off_the_index_and_is_found_by_its_export_jobs(monkeypatch):
    monkeypatch.setattr(registry, "REGISTER_PAGES", {})
    monkeypatch.setattr(registry, "EXPORTS", {})
    own = Register(model=Organisation, name="organisation", slug="organisations", namespace="organisations",
                   form_class=OrganisationForm, columns=[], in_index=False)
    assert registry.REGISTER_PAGES == {}
    assert registry.EXPORTS == {"organisations:organisation": own}


def test_the_mou_list_is_a_register_that_swaps_its_list_view_only():
    from alliance.mous import views

    assert isinstance(views.mous, Register) and issubclass(views.mous.list_view_class, ListView)
    assert views.mous.export_view_class is Register.export_view_class
    assert "alliance:mou" not in registry.REGISTER_PAGES and registry.loaded()["alliance:mou"] is views.mous
