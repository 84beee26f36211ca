"""Every app's API under /api/v1/, on one router."""

from rest_framework.routers import DefaultRouter

from trial import api as trial_api

router = DefaultRouter()
trial_api.register(router)

urlpatterns = router.urls
