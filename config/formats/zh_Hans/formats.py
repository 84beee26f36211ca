"""Chinese pages: dates shown the Chinese way (2026年11月30日 14:30: Django's own zh_Hans formats,
which apply for everything not set here), entered as on English pages: ISO 8601, the format the
admin's date fields check (trial/admin_base.py). Django's zh_Hans input formats start with
%Y/%m/%d, so a form would show a stored date as 1980/05/17 and then refuse it when saved."""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
