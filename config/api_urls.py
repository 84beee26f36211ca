"""Every app's API under /api/v1/, on one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from dosing import api as dosing_api
from exports import api as exports_api
from followup import api as followup_api
from monitoring import api as monitoring_api
from safety import api as safety_api
from screening import api as screening_api
from trial import api as trial_api

router = DefaultRouter()
trial_api.register(router)
screening_api.register(router)
dosing_api.register(router)
safety_api.register(router)
followup_api.register(router)
monitoring_api.register(router)

urlpatterns = [
    path("me/", trial_api.MeView.as_view(), name="me"),
    path("screening-log/", screening_api.ScreeningLogView.as_view(), name="screening-log"),
    path("escalation/", dosing_api.EscalationView.as_view(), name="escalation"),
    path("escalation/plot.svg", dosing_api.EscalationPlotView.as_view(), name="escalation-plot"),
    path("escalation/simulate/", dosing_api.SimulationView.as_view(), name="escalation-simulate"),
    path("overdue-forms/", followup_api.OverdueFormsView.as_view(), name="overdue-forms"),
    path("response-summary/", followup_api.ResponseSummaryView.as_view(), name="response-summary"),
    path("audit/", monitoring_api.AuditView.as_view(), name="audit"),
    path("exports/datacut.zip", exports_api.DatacutView.as_view(), name="export-datacut"),
    path(
        "exports/dictionary.<str:fmt>",
        exports_api.DictionaryView.as_view(),
        name="export-dictionary",
    ),
    path("exports/sdtm/<str:domain>", exports_api.SdtmView.as_view(), name="export-sdtm"),
    path("exports/odm.xml", exports_api.OdmView.as_view(), name="export-odm"),
    path("exports/define.xml", exports_api.DefineView.as_view(), name="export-define"),
    path(
        "exports/audit_trail.csv",
        exports_api.AuditTrailExportView.as_view(),
        name="export-audit-trail",
    ),
    path(
        "exports/<str:dataset>.csv", exports_api.DatasetExportView.as_view(), name="export-dataset"
    ),
    path("query-counts/", monitoring_api.QueryCountsView.as_view(), name="query-counts"),
    path("sdv-progress/", monitoring_api.SdvProgressView.as_view(), name="sdv-progress"),
    *router.urls,
]
