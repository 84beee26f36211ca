"""Written by `manage.py messages` from the models (trial/i18n.py): their verbose names, help
texts and choice labels, for xgettext. Not imported by the application; do not edit by hand."""

from django.utils.translation import gettext_noop

# Translators: simple_history: the name of each history table
gettext_noop("historical {}")

# Translators: trial.HistoricalUser.id, trial.User.id, trial.HistoricalTOTPDevice.id and 77 more
gettext_noop("ID")

# Translators: trial.HistoricalUser.audit_subject_id, trial.HistoricalTOTPDevice.audit_subject_id, trial.HistoricalStaticDevice.audit_subject_id and 38 more
gettext_noop("audit subject id")

# Translators: trial.HistoricalUser.row_hash, trial.HistoricalTOTPDevice.row_hash, trial.HistoricalStaticDevice.row_hash and 38 more
gettext_noop("row hash")

# Translators: trial.HistoricalUser.language, trial.User.language
gettext_noop("English")

# Translators: trial.HistoricalUser.language, trial.User.language
gettext_noop("简体中文")

# Translators: trial.HistoricalUser.history_id, trial.HistoricalTOTPDevice.history_id, trial.HistoricalStaticDevice.history_id and 38 more
gettext_noop("history id")

# Translators: trial.HistoricalUser.history_date, trial.HistoricalTOTPDevice.history_date, trial.HistoricalStaticDevice.history_date and 38 more
gettext_noop("history date")

# Translators: trial.HistoricalUser.history_change_reason, trial.HistoricalTOTPDevice.history_change_reason, trial.HistoricalStaticDevice.history_change_reason and 38 more
gettext_noop("history change reason")

# Translators: trial.HistoricalUser.history_type, trial.HistoricalTOTPDevice.history_type, trial.HistoricalStaticDevice.history_type and 38 more
gettext_noop("history type")

# Translators: trial.HistoricalUser.history_user, trial.HistoricalTOTPDevice.history_user, trial.HistoricalStaticDevice.history_user and 38 more
gettext_noop("history user")

# Translators: trial.User, trial.HistoricalTOTPDevice.user, trial.HistoricalStaticDevice.user and 4 more
gettext_noop("user")

# Translators: trial.User
gettext_noop("users")

# Translators: otp_totp.TOTPDevice, django_otp
gettext_noop("TOTP device")

# Translators: trial.HistoricalTOTPDevice.name, trial.HistoricalStaticDevice.name, trial.HistoricalApiToken.name and 7 more
gettext_noop("name")

# Translators: trial.HistoricalTOTPDevice.name, trial.HistoricalStaticDevice.name
gettext_noop("The human-readable name of this device.")

# Translators: trial.HistoricalTOTPDevice.confirmed, trial.HistoricalStaticDevice.confirmed
gettext_noop("confirmed")

# Translators: trial.HistoricalTOTPDevice.confirmed, trial.HistoricalStaticDevice.confirmed
gettext_noop("Is this device ready for use?")

# Translators: trial.HistoricalTOTPDevice.throttling_failure_timestamp, trial.HistoricalStaticDevice.throttling_failure_timestamp
gettext_noop("throttling failure timestamp")

# Translators: trial.HistoricalTOTPDevice.throttling_failure_timestamp, trial.HistoricalStaticDevice.throttling_failure_timestamp
gettext_noop("A timestamp of the last failed verification attempt. Null if last attempt succeeded.")

# Translators: trial.HistoricalTOTPDevice.throttling_failure_count, trial.HistoricalStaticDevice.throttling_failure_count
gettext_noop("throttling failure count")

# Translators: trial.HistoricalTOTPDevice.throttling_failure_count, trial.HistoricalStaticDevice.throttling_failure_count
gettext_noop("Number of successive failed attempts.")

# Translators: trial.HistoricalTOTPDevice.created_at, trial.HistoricalStaticDevice.created_at, trial.HistoricalApiToken.created_at and 75 more
gettext_noop("created at")

# Translators: trial.HistoricalTOTPDevice.created_at, trial.HistoricalStaticDevice.created_at
gettext_noop("The date and time when this device was initially created in the system.")

# Translators: trial.HistoricalTOTPDevice.last_used_at, trial.HistoricalStaticDevice.last_used_at
gettext_noop("last used at")

# Translators: trial.HistoricalTOTPDevice.last_used_at, trial.HistoricalStaticDevice.last_used_at
gettext_noop("The most recent date and time this device was used.")

# Translators: trial.HistoricalTOTPDevice.step
gettext_noop("step")

# Translators: trial.HistoricalTOTPDevice.step
gettext_noop("The time step in seconds.")

# Translators: trial.HistoricalTOTPDevice.t0
gettext_noop("t0")

# Translators: trial.HistoricalTOTPDevice.t0
gettext_noop("The Unix time at which to begin counting steps.")

# Translators: trial.HistoricalTOTPDevice.digits
gettext_noop("digits")

# Translators: trial.HistoricalTOTPDevice.digits
gettext_noop("The number of digits to expect in a token.")

# Translators: trial.HistoricalTOTPDevice.tolerance
gettext_noop("tolerance")

# Translators: trial.HistoricalTOTPDevice.tolerance
gettext_noop("The number of time steps in the past or future to allow.")

# Translators: trial.HistoricalTOTPDevice.drift
gettext_noop("drift")

# Translators: trial.HistoricalTOTPDevice.drift
gettext_noop("The number of time steps the prover is known to deviate from our clock.")

# Translators: trial.HistoricalTOTPDevice.last_t
gettext_noop("last t")

# Translators: trial.HistoricalTOTPDevice.last_t
gettext_noop("The t value of the latest verified token. The next token must be at a higher time step.")

# Translators: trial.HistoricalTOTPDevice.user, trial.HistoricalStaticDevice.user
gettext_noop("The user that this device belongs to.")

# Translators: otp_static.StaticDevice, django_otp
gettext_noop("static device")

# Translators: trial.ApiToken
gettext_noop("API token")

# Translators: trial.HistoricalApiToken.version, trial.ApiToken.version, trial.HistoricalStudy.version and 73 more
gettext_noop("version")

# Translators: trial.HistoricalApiToken.digest, trial.ApiToken.digest
gettext_noop("digest")

# Translators: trial.HistoricalApiToken.token_key, trial.ApiToken.token_key
gettext_noop("token key")

# Translators: trial.HistoricalApiToken.created, trial.ApiToken.created
gettext_noop("created")

# Translators: trial.HistoricalApiToken.expiry, trial.ApiToken.expiry
gettext_noop("expiry")

# Translators: trial.HistoricalApiToken.name, trial.ApiToken.name
gettext_noop("What it is for, e.g. weekly SAS export.")

# Translators: trial.HistoricalApiToken.revoked_at, trial.ApiToken.revoked_at
gettext_noop("revoked at")

# Translators: trial.HistoricalApiToken.revoke_reason, trial.ApiToken.revoke_reason
gettext_noop("revoke reason")

# Translators: trial.HistoricalApiToken.revoked_by, trial.ApiToken.revoked_by
gettext_noop("revoked by")

# Translators: trial.ApiToken
gettext_noop("API tokens")

# Translators: trial.Study, trial.HistoricalSite.study, trial.Site.study and 14 more
gettext_noop("study")

# Translators: trial.Study
gettext_noop("studies")

# Translators: trial.HistoricalStudy.registry_id, trial.Study.registry_id
gettext_noop("registry id")

# Translators: trial.HistoricalStudy.title, trial.Study.title
gettext_noop("title")

# Translators: trial.HistoricalStudy.short_title, trial.Study.short_title
gettext_noop("short title")

# Translators: trial.HistoricalStudy.sponsor, trial.Study.sponsor
gettext_noop("sponsor")

# Translators: trial.HistoricalStudy.phase, trial.Study.phase
gettext_noop("phase")

# Translators: trial.HistoricalStudy.phase, trial.Study.phase, trial.Study.Phase
gettext_noop("Phase 1")

# Translators: trial.HistoricalStudy.phase, trial.Study.phase, trial.Study.Phase
gettext_noop("Phase 1/2")

# Translators: trial.HistoricalStudy.phase, trial.Study.phase, trial.Study.Phase
gettext_noop("Phase 2")

# Translators: trial.HistoricalStudy.target_enrollment, trial.Study.target_enrollment
gettext_noop("target enrollment")

# Translators: trial.HistoricalStudy.target_enrollment, trial.Study.target_enrollment
gettext_noop("Maximum number of patients.")

# Translators: trial.HistoricalStudy.min_age_years, trial.Study.min_age_years
gettext_noop("minimum age (years)")

# Translators: trial.HistoricalStudy.max_age_years, trial.Study.max_age_years
gettext_noop("maximum age (years)")

# Translators: trial.HistoricalStudy.dlt_window_days, trial.Study.dlt_window_days
gettext_noop("DLT window (days)")

# Translators: trial.HistoricalStudy.dlt_window_days, trial.Study.dlt_window_days
gettext_noop("Day 0 is the first CAR-NK infusion; the window runs from day 0 through this day.")

# Translators: trial.HistoricalStudy.cohort_size, trial.Study.cohort_size
gettext_noop("cohort size")

# Translators: trial.HistoricalStudy.infusion_dose_tolerance_pct, trial.Study.infusion_dose_tolerance_pct
# xgettext:no-python-format
gettext_noop("infusion dose tolerance (%)")

# Translators: trial.HistoricalStudy.infusion_dose_tolerance_pct, trial.Study.infusion_dose_tolerance_pct
gettext_noop("An actual dose may exceed the planned dose by at most this much; an actual dose this much below the planned dose is a partial dose.")

# Translators: trial.HistoricalStudy.escalation_design, trial.Study.escalation_design
gettext_noop("escalation design")

# Translators: trial.HistoricalStudy.escalation_design, trial.Study.escalation_design, trial.Study.Design
gettext_noop("3+3")

# Translators: trial.HistoricalStudy.escalation_design, trial.Study.escalation_design, trial.Study.Design
gettext_noop("BOIN (Bayesian optimal interval)")

# Translators: trial.HistoricalStudy.deescalation, trial.Study.deescalation
gettext_noop("3+3 with de-escalation")

# Translators: trial.HistoricalStudy.deescalation, trial.Study.deescalation
gettext_noop("3+3 only: a dose found too toxic sends the next cohort to the dose below (Korn 1994) instead of stopping (Storer 1989).")

# Translators: trial.HistoricalStudy.boin_target, trial.Study.boin_target
gettext_noop("BOIN target toxicity rate")

# Translators: trial.HistoricalStudy.boin_cutoff_eli, trial.Study.boin_cutoff_eli
gettext_noop("BOIN elimination cutoff")

# Translators: trial.HistoricalStudy.boin_n_earlystop, trial.Study.boin_n_earlystop
gettext_noop("BOIN early-stop count")

# Translators: trial.HistoricalStudy.boin_n_earlystop, trial.Study.boin_n_earlystop
gettext_noop("Stop when this many patients were treated at the current dose and the decision is to stay. Empty: no early stop.")

# Translators: trial.Site, trial.HistoricalSiteRole.site, trial.SiteRole.site and 4 more
gettext_noop("site")

# Translators: trial.HistoricalSite.code, trial.Site.code, followup.HistoricalVisitDefinition.code and 1 more
gettext_noop("code")

# Translators: trial.HistoricalSite.code, trial.Site.code
gettext_noop("Two digits; the prefix of this site's screening numbers (01-S-007).")

# Translators: trial.HistoricalSite.city, trial.Site.city
gettext_noop("city")

# Translators: trial.HistoricalSite.country, trial.Site.country
gettext_noop("country")

# Translators: trial.HistoricalSite.is_active, trial.Site.is_active
gettext_noop("open for screening")

# Translators: trial.HistoricalSite.is_active, trial.Site.is_active
gettext_noop("A closed site keeps its data.")

# Translators: trial.Site
gettext_noop("sites")

# Translators: trial.SiteRole
gettext_noop("site role")

# Translators: trial.HistoricalSiteRole.role, trial.SiteRole.role
gettext_noop("role")

# Translators: trial.HistoricalSiteRole.role, trial.SiteRole.role, trial.SiteRole.Role
gettext_noop("Investigator")

# Translators: trial.HistoricalSiteRole.role, trial.SiteRole.role, trial.SiteRole.Role
gettext_noop("Coordinator (research nurse)")

# Translators: trial.HistoricalSiteRole.role, trial.SiteRole.role, trial.SiteRole.Role
gettext_noop("Monitor")

# Translators: trial.HistoricalSiteRole.role, trial.SiteRole.role, trial.SiteRole.Role
gettext_noop("Data manager")

# Translators: trial.HistoricalSiteRole.role, trial.SiteRole.role, trial.SiteRole.Role
gettext_noop("Safety reviewer")

# Translators: trial.HistoricalSiteRole.is_active, trial.SiteRole.is_active, monitoring.HistoricalLock.is_active and 1 more
gettext_noop("is active")

# Translators: trial.SiteRole
gettext_noop("site roles")

# Translators: trial.DoseLevel, dosing.HistoricalCohort.dose_level, dosing.Cohort.dose_level and 2 more
gettext_noop("dose level")

# Translators: trial.HistoricalDoseLevel.is_voided, trial.DoseLevel.is_voided, screening.HistoricalSubject.is_voided and 33 more
gettext_noop("voided")

# Translators: trial.HistoricalDoseLevel.voided_at, trial.DoseLevel.voided_at, screening.HistoricalSubject.voided_at and 33 more
gettext_noop("voided at")

# Translators: trial.HistoricalDoseLevel.void_reason, trial.DoseLevel.void_reason, screening.HistoricalSubject.void_reason and 33 more
gettext_noop("void reason")

# Translators: trial.HistoricalDoseLevel.number, trial.DoseLevel.number, dosing.HistoricalInfusion.number and 1 more
gettext_noop("number")

# Translators: trial.HistoricalDoseLevel.number, trial.DoseLevel.number
gettext_noop("1..K, lowest dose first.")

# Translators: trial.HistoricalDoseLevel.label, trial.DoseLevel.label, followup.HistoricalVisitDefinition.label and 1 more
gettext_noop("label")

# Translators: trial.HistoricalDoseLevel.cells_per_kg_million, trial.DoseLevel.cells_per_kg_million
gettext_noop("dose (x10^6 CAR-NK cells/kg)")

# Translators: trial.HistoricalDoseLevel.schedule, trial.DoseLevel.schedule, dosing.HistoricalLymphodepletionRegimen.schedule and 1 more
gettext_noop("schedule")

# Translators: trial.HistoricalDoseLevel.schedule, trial.DoseLevel.schedule
gettext_noop("e.g. single infusion on day 0.")

# Translators: trial.HistoricalDoseLevel.is_placeholder, trial.DoseLevel.is_placeholder, dosing.HistoricalLymphodepletionRegimen.is_placeholder and 1 more
gettext_noop("placeholder value")

# Translators: trial.HistoricalDoseLevel.is_placeholder, trial.DoseLevel.is_placeholder
gettext_noop("The registry gives no dose levels: a placeholder must be confirmed against the protocol before the first enrollment.")

# Translators: trial.DoseLevel
gettext_noop("dose levels")

# Translators: trial.JobRun
gettext_noop("scheduled job run")

# Translators: trial.JobRun
gettext_noop("scheduled job runs")

# Translators: trial.HistoricalJobRun.job, trial.JobRun.job
gettext_noop("job")

# Translators: trial.HistoricalJobRun.started_at, trial.JobRun.started_at
gettext_noop("started at")

# Translators: trial.HistoricalJobRun.finished_at, trial.JobRun.finished_at
gettext_noop("finished at")

# Translators: trial.HistoricalJobRun.ok, trial.JobRun.ok
gettext_noop("succeeded")

# Translators: trial.HistoricalJobRun.summary, trial.JobRun.summary
gettext_noop("summary")

# Translators: screening.Subject, screening.HistoricalConsent.subject, screening.Consent.subject and 34 more
gettext_noop("subject")

# Translators: screening.HistoricalSubject.sequence, screening.Subject.sequence, dosing.HistoricalCohort.sequence and 1 more
gettext_noop("sequence")

# Translators: screening.HistoricalSubject.screening_number, screening.Subject.screening_number
gettext_noop("screening number")

# Translators: screening.HistoricalSubject.screening_number, screening.Subject.screening_number
gettext_noop("Assigned by the system: site code and a running number, never reused.")

# Translators: screening.HistoricalSubject.date_of_birth, screening.Subject.date_of_birth
gettext_noop("date of birth")

# Translators: screening.HistoricalSubject.sex, screening.Subject.sex
gettext_noop("sex")

# Translators: screening.HistoricalSubject.sex, screening.Subject.sex, screening.Subject.Sex
gettext_noop("Female")

# Translators: screening.HistoricalSubject.sex, screening.Subject.sex, screening.Subject.Sex
gettext_noop("Male")

# Translators: screening.HistoricalSubject.status, screening.Subject.status, dosing.HistoricalCohort.status and 7 more
gettext_noop("status")

# Translators: screening.HistoricalSubject.status, screening.Subject.status
gettext_noop("Derived from consent, eligibility, enrollment and withdrawal; not entered.")

# Translators: screening.HistoricalSubject.status, screening.Subject.status, screening.Subject.Status
gettext_noop("Screening")

# Translators: screening.HistoricalSubject.status, screening.Subject.status, screening.Subject.Status
gettext_noop("Screen failed")

# Translators: screening.HistoricalSubject.status, screening.Subject.status, screening.Subject.Status
gettext_noop("Eligible")

# Translators: screening.HistoricalSubject.status, screening.Subject.status, screening.Subject.Status
gettext_noop("Enrolled")

# Translators: screening.HistoricalSubject.status, screening.Subject.status, screening.Subject.Status and 3 more
gettext_noop("Withdrawn")

# Translators: screening.HistoricalSubject.is_demo, screening.Subject.is_demo
gettext_noop("demo data")

# Translators: screening.Subject
gettext_noop("subjects")

# Translators: screening.Consent
gettext_noop("consent")

# Translators: screening.HistoricalConsent.form_version, screening.Consent.form_version
gettext_noop("consent form version")

# Translators: screening.HistoricalConsent.form_version_date, screening.Consent.form_version_date
gettext_noop("consent form version date")

# Translators: screening.HistoricalConsent.consent_date, screening.Consent.consent_date
gettext_noop("date signed")

# Translators: screening.HistoricalConsent.signed_by, screening.Consent.signed_by, dosing.HistoricalEscalationDecision.signed_by and 1 more
gettext_noop("signed by")

# Translators: screening.HistoricalConsent.signed_by, screening.Consent.signed_by, screening.Consent.Signer
gettext_noop("The patient")

# Translators: screening.HistoricalConsent.signed_by, screening.Consent.signed_by, screening.Consent.Signer
gettext_noop("Legally authorized representative")

# Translators: screening.HistoricalConsent.representative_relationship, screening.Consent.representative_relationship
gettext_noop("representative relationship")

# Translators: screening.HistoricalConsent.representative_relationship, screening.Consent.representative_relationship
gettext_noop("Required when a legally authorized representative signs (e.g. parent).")

# Translators: screening.HistoricalConsent.assent_obtained, screening.Consent.assent_obtained
gettext_noop("assent of the minor obtained")

# Translators: screening.HistoricalConsent.assent_obtained, screening.Consent.assent_obtained
gettext_noop("Required for minors (aged 3-17 at consent); leave empty for adults.")

# Translators: screening.HistoricalConsent.withdrawn_date, screening.Consent.withdrawn_date
gettext_noop("date consent withdrawn")

# Translators: screening.HistoricalConsent.withdrawal_reason, screening.Consent.withdrawal_reason
gettext_noop("withdrawal reason")

# Translators: screening.HistoricalConsent.obtained_by, screening.Consent.obtained_by
gettext_noop("obtained by")

# Translators: screening.HistoricalConsent.obtained_by, screening.Consent.obtained_by
gettext_noop("The person who obtained consent.")

# Translators: screening.Consent
gettext_noop("consents")

# Translators: screening.EligibilityAssessment
gettext_noop("eligibility assessment")

# Translators: screening.HistoricalEligibilityAssessment.attempt, screening.EligibilityAssessment.attempt
gettext_noop("attempt")

# Translators: screening.HistoricalEligibilityAssessment.attempt, screening.EligibilityAssessment.attempt
gettext_noop("Screening attempt, counted by the system (1 = first).")

# Translators: screening.HistoricalEligibilityAssessment.assessment_date, screening.EligibilityAssessment.assessment_date, followup.HistoricalResponseAssessment.assessment_date and 1 more
gettext_noop("assessment date")

# Translators: screening.HistoricalEligibilityAssessment.assessment_date, screening.EligibilityAssessment.assessment_date
gettext_noop("The day the investigator assesses eligibility.")

# Translators: screening.HistoricalEligibilityAssessment.ecog, screening.EligibilityAssessment.ecog
gettext_noop("ECOG performance status")

# Translators: screening.HistoricalEligibilityAssessment.ecog, screening.EligibilityAssessment.ecog
gettext_noop("Decides I5. ECOG performance status 0-2.")

# Translators: screening.HistoricalEligibilityAssessment.cardiac_function_grade, screening.EligibilityAssessment.cardiac_function_grade
gettext_noop("cardiac function grade (NYHA class)")

# Translators: screening.HistoricalEligibilityAssessment.cardiac_function_grade, screening.EligibilityAssessment.cardiac_function_grade
gettext_noop("Decides I7 with the labs below: NYHA class 1-2 passes.")

# Translators: screening.HistoricalEligibilityAssessment.tbil, screening.EligibilityAssessment.tbil
gettext_noop("total bilirubin")

# Translators: screening.HistoricalEligibilityAssessment.tbil, screening.EligibilityAssessment.tbil
gettext_noop("I7: at most 3 x ULN (the same unit as the ULN).")

# Translators: screening.HistoricalEligibilityAssessment.tbil_uln, screening.EligibilityAssessment.tbil_uln
gettext_noop("total bilirubin ULN")

# Translators: screening.HistoricalEligibilityAssessment.ast, screening.EligibilityAssessment.ast, safety.HistoricalLabResult.test and 2 more
gettext_noop("AST")

# Translators: screening.HistoricalEligibilityAssessment.ast, screening.HistoricalEligibilityAssessment.alt, screening.EligibilityAssessment.ast and 1 more
gettext_noop("I7: at most 2.5 x ULN.")

# Translators: screening.HistoricalEligibilityAssessment.ast_uln, screening.EligibilityAssessment.ast_uln
gettext_noop("AST ULN")

# Translators: screening.HistoricalEligibilityAssessment.alt, screening.EligibilityAssessment.alt, safety.HistoricalLabResult.test and 2 more
gettext_noop("ALT")

# Translators: screening.HistoricalEligibilityAssessment.alt_uln, screening.EligibilityAssessment.alt_uln
gettext_noop("ALT ULN")

# Translators: screening.HistoricalEligibilityAssessment.creatinine, screening.EligibilityAssessment.creatinine
gettext_noop("creatinine")

# Translators: screening.HistoricalEligibilityAssessment.creatinine, screening.EligibilityAssessment.creatinine
gettext_noop("I7: at most 1.25 x ULN.")

# Translators: screening.HistoricalEligibilityAssessment.creatinine_uln, screening.EligibilityAssessment.creatinine_uln
gettext_noop("creatinine ULN")

# Translators: screening.HistoricalEligibilityAssessment.childbearing_potential, screening.EligibilityAssessment.childbearing_potential
gettext_noop("childbearing potential")

# Translators: screening.HistoricalEligibilityAssessment.childbearing_potential, screening.EligibilityAssessment.childbearing_potential
gettext_noop("Decides I12 with the test below. Women of childbearing age tested negative for pregnancy within 7 days, and use of appropriate contraception during the trial and for 3 months after.")

# Translators: screening.HistoricalEligibilityAssessment.pregnancy_test_date, screening.EligibilityAssessment.pregnancy_test_date
gettext_noop("pregnancy test date")

# Translators: screening.HistoricalEligibilityAssessment.pregnancy_test_date, screening.EligibilityAssessment.pregnancy_test_date
gettext_noop("I12: a negative test within 7 days before assessment.")

# Translators: screening.HistoricalEligibilityAssessment.pregnancy_test_negative, screening.EligibilityAssessment.pregnancy_test_negative
gettext_noop("pregnancy test negative")

# Translators: screening.HistoricalEligibilityAssessment.nkg2d_ligand_positive_pct, screening.EligibilityAssessment.nkg2d_ligand_positive_pct
# xgettext:no-python-format
gettext_noop("NKG2D ligand positive (% of blasts)")

# Translators: screening.HistoricalEligibilityAssessment.nkg2d_ligand_positive_pct, screening.EligibilityAssessment.nkg2d_ligand_positive_pct
gettext_noop("For reference only: never decides eligibility.")

# Translators: screening.HistoricalEligibilityAssessment.nkg2d_test_date, screening.EligibilityAssessment.nkg2d_test_date
gettext_noop("NKG2D ligand test date")

# Translators: screening.HistoricalEligibilityAssessment.i2, screening.EligibilityAssessment.i2
gettext_noop("I2")

# Translators: screening.HistoricalEligibilityAssessment.i2, screening.EligibilityAssessment.i2, screening.rules.CRITERIA
# xgettext:no-python-format
gettext_noop("Relapsed AML (China guidelines 2017): leukemic cells reappear in peripheral blood or bone marrow MRD > 0.1% after complete remission (CR), including relapse after allogeneic hematopoietic stem cell transplantation or extramedullary leukemic cell infiltration.")

# Translators: screening.HistoricalEligibilityAssessment.i3, screening.EligibilityAssessment.i3
gettext_noop("I3")

# Translators: screening.HistoricalEligibilityAssessment.i3, screening.EligibilityAssessment.i3, screening.rules.CRITERIA
gettext_noop("Refractory AML (China guidelines 2017): initial cases with failure of 2 lines of standard treatment; relapse within 12 months after consolidation intensification after CR; recurrence in 12 months and no response to conventional chemotherapy; 2 or more recurrences; persistent extramedullary leukemia.")

# Translators: screening.HistoricalEligibilityAssessment.i4, screening.EligibilityAssessment.i4
gettext_noop("I4")

# Translators: screening.HistoricalEligibilityAssessment.i4, screening.EligibilityAssessment.i4, screening.rules.CRITERIA
gettext_noop("No effective treatment options currently (such as chemotherapy or allogeneic hematopoietic stem cell transplantation), or the patient voluntarily chooses NKG2D CAR-NK cells as the first treatment option.")

# Translators: screening.HistoricalEligibilityAssessment.i6, screening.EligibilityAssessment.i6
gettext_noop("I6")

# Translators: screening.HistoricalEligibilityAssessment.i6, screening.EligibilityAssessment.i6, screening.rules.CRITERIA
gettext_noop("Life expectancy >= 12 weeks from the time of enrollment.")

# Translators: screening.HistoricalEligibilityAssessment.i8, screening.EligibilityAssessment.i8
gettext_noop("I8")

# Translators: screening.HistoricalEligibilityAssessment.i8, screening.EligibilityAssessment.i8, screening.rules.CRITERIA
gettext_noop("Flow cytometry check for NKG2D ligand expression on the surface of cancer cells done (a reference for patient selection; its result does not decide eligibility).")

# Translators: screening.HistoricalEligibilityAssessment.i9, screening.EligibilityAssessment.i9
gettext_noop("I9")

# Translators: screening.HistoricalEligibilityAssessment.i9, screening.EligibilityAssessment.i9, screening.rules.CRITERIA
gettext_noop("Peripheral superficial vein accessible for IV insertion and blood draws.")

# Translators: screening.HistoricalEligibilityAssessment.i10, screening.EligibilityAssessment.i10
gettext_noop("I10")

# Translators: screening.HistoricalEligibilityAssessment.i10, screening.EligibilityAssessment.i10, screening.rules.CRITERIA
gettext_noop("No other serious diseases that conflict with this protocol (e.g. autoimmune diseases, immunodeficiency, organ transplantation).")

# Translators: screening.HistoricalEligibilityAssessment.i11, screening.EligibilityAssessment.i11
gettext_noop("I11")

# Translators: screening.HistoricalEligibilityAssessment.i11, screening.EligibilityAssessment.i11, screening.rules.CRITERIA
gettext_noop("No history of other malignant tumors.")

# Translators: screening.HistoricalEligibilityAssessment.i13, screening.EligibilityAssessment.i13
gettext_noop("I13")

# Translators: screening.HistoricalEligibilityAssessment.i13, screening.EligibilityAssessment.i13, screening.rules.CRITERIA
gettext_noop("Negative HIV, HBV, HCV and syphilis serology.")

# Translators: screening.HistoricalEligibilityAssessment.e1, screening.EligibilityAssessment.e1
gettext_noop("E1")

# Translators: screening.HistoricalEligibilityAssessment.e1, screening.EligibilityAssessment.e1, screening.rules.CRITERIA
gettext_noop("Acute promyelocytic leukemia (type M3).")

# Translators: screening.HistoricalEligibilityAssessment.e2, screening.EligibilityAssessment.e2
gettext_noop("E2")

# Translators: screening.HistoricalEligibilityAssessment.e2, screening.EligibilityAssessment.e2, screening.rules.CRITERIA
gettext_noop("Cardiac insufficiency, or liver or renal insufficiency.")

# Translators: screening.HistoricalEligibilityAssessment.e3, screening.EligibilityAssessment.e3
gettext_noop("E3")

# Translators: screening.HistoricalEligibilityAssessment.e3, screening.EligibilityAssessment.e3, screening.rules.CRITERIA
gettext_noop("Other malignant tumors that need to be treated.")

# Translators: screening.HistoricalEligibilityAssessment.e4, screening.EligibilityAssessment.e4
gettext_noop("E4")

# Translators: screening.HistoricalEligibilityAssessment.e4, screening.EligibilityAssessment.e4, screening.rules.CRITERIA
gettext_noop("Poorly controlled hypertension (systolic > 160 mmHg and/or diastolic > 90 mmHg) or clinically significant cardiovascular or cerebrovascular disease (cerebrovascular accident or myocardial infarction within 6 months before consent, unstable angina, congestive heart failure, or severe arrhythmia not controlled by drugs).")

# Translators: screening.HistoricalEligibilityAssessment.e5, screening.EligibilityAssessment.e5
gettext_noop("E5")

# Translators: screening.HistoricalEligibilityAssessment.e5, screening.EligibilityAssessment.e5, screening.rules.CRITERIA
gettext_noop("Other hematologic diseases (such as hemophilia, myelofibrosis) that the investigators consider unsuitable for enrollment.")

# Translators: screening.HistoricalEligibilityAssessment.e6, screening.EligibilityAssessment.e6
gettext_noop("E6")

# Translators: screening.HistoricalEligibilityAssessment.e6, screening.EligibilityAssessment.e6, screening.rules.CRITERIA
gettext_noop("Disseminated intravascular coagulation.")

# Translators: screening.HistoricalEligibilityAssessment.e7, screening.EligibilityAssessment.e7
gettext_noop("E7")

# Translators: screening.HistoricalEligibilityAssessment.e7, screening.EligibilityAssessment.e7, screening.rules.CRITERIA
gettext_noop("Concomitant serious infection or other serious underlying medical condition.")

# Translators: screening.HistoricalEligibilityAssessment.e8, screening.EligibilityAssessment.e8
gettext_noop("E8")

# Translators: screening.HistoricalEligibilityAssessment.e8, screening.EligibilityAssessment.e8, screening.rules.CRITERIA
gettext_noop("Variable immunodeficiency or autoimmune disease.")

# Translators: screening.HistoricalEligibilityAssessment.e9, screening.EligibilityAssessment.e9
gettext_noop("E9")

# Translators: screening.HistoricalEligibilityAssessment.e9, screening.EligibilityAssessment.e9, screening.rules.CRITERIA
gettext_noop("Severe allergic disease.")

# Translators: screening.HistoricalEligibilityAssessment.e10, screening.EligibilityAssessment.e10
gettext_noop("E10")

# Translators: screening.HistoricalEligibilityAssessment.e10, screening.EligibilityAssessment.e10, screening.rules.CRITERIA
gettext_noop("Clinical symptoms of brain dysfunction or severe mental illness that prevent understanding or following the protocol.")

# Translators: screening.HistoricalEligibilityAssessment.e11, screening.EligibilityAssessment.e11
gettext_noop("E11")

# Translators: screening.HistoricalEligibilityAssessment.e11, screening.EligibilityAssessment.e11, screening.rules.CRITERIA
gettext_noop("Participation in a clinical trial of other drugs within 4 weeks, or surgery within 21 days.")

# Translators: screening.HistoricalEligibilityAssessment.e12, screening.EligibilityAssessment.e12
gettext_noop("E12")

# Translators: screening.HistoricalEligibilityAssessment.e12, screening.EligibilityAssessment.e12, screening.rules.CRITERIA
gettext_noop("Cell therapy within the previous 1 month.")

# Translators: screening.HistoricalEligibilityAssessment.e13, screening.EligibilityAssessment.e13
gettext_noop("E13")

# Translators: screening.HistoricalEligibilityAssessment.e13, screening.EligibilityAssessment.e13, screening.rules.CRITERIA
gettext_noop("Hormonal drug therapy within the previous 14 days.")

# Translators: screening.HistoricalEligibilityAssessment.e14, screening.EligibilityAssessment.e14
gettext_noop("E14")

# Translators: screening.HistoricalEligibilityAssessment.e14, screening.EligibilityAssessment.e14, screening.rules.CRITERIA
gettext_noop("Known HIV seropositivity, active hepatitis B or C infection, or syphilis.")

# Translators: screening.HistoricalEligibilityAssessment.e15, screening.EligibilityAssessment.e15
gettext_noop("E15")

# Translators: screening.HistoricalEligibilityAssessment.e15, screening.EligibilityAssessment.e15, screening.rules.CRITERIA
gettext_noop("Organ transplant received (stem cell transplant patients excepted).")

# Translators: screening.HistoricalEligibilityAssessment.e16, screening.EligibilityAssessment.e16
gettext_noop("E16")

# Translators: screening.HistoricalEligibilityAssessment.e16, screening.EligibilityAssessment.e16, screening.rules.CRITERIA
gettext_noop("Drug abuse, or medical, psychological or social conditions that may interfere with participation or with the evaluation of the results.")

# Translators: screening.HistoricalEligibilityAssessment.e17, screening.EligibilityAssessment.e17
gettext_noop("E17")

# Translators: screening.HistoricalEligibilityAssessment.e17, screening.EligibilityAssessment.e17, screening.rules.CRITERIA
gettext_noop("Pregnant or lactating.")

# Translators: screening.HistoricalEligibilityAssessment.e18, screening.EligibilityAssessment.e18
gettext_noop("E18")

# Translators: screening.HistoricalEligibilityAssessment.e18, screening.EligibilityAssessment.e18, screening.rules.CRITERIA
gettext_noop("Cannot be followed up as scheduled.")

# Translators: screening.HistoricalEligibilityAssessment.e19, screening.EligibilityAssessment.e19
gettext_noop("E19")

# Translators: screening.HistoricalEligibilityAssessment.e19, screening.EligibilityAssessment.e19, screening.rules.CRITERIA
gettext_noop("Any clinical or laboratory abnormality or compliance problem that makes the patient unsuitable in the investigator's opinion.")

# Translators: screening.HistoricalEligibilityAssessment.eligible, screening.EligibilityAssessment.eligible
gettext_noop("eligible")

# Translators: screening.HistoricalEligibilityAssessment.eligible, screening.EligibilityAssessment.eligible
gettext_noop("Computed from the answers by the protocol's 33 criteria (all 14 inclusion criteria met, I2 or I3 at least one, no exclusion criterion true); empty while an answer is missing. Never entered.")

# Translators: screening.HistoricalEligibilityAssessment.criteria, screening.EligibilityAssessment.criteria
gettext_noop("criteria")

# Translators: screening.HistoricalEligibilityAssessment.criteria, screening.EligibilityAssessment.criteria
gettext_noop("Each criterion's computed result.")

# Translators: screening.HistoricalEligibilityAssessment.reasons, screening.EligibilityAssessment.reasons
gettext_noop("reasons")

# Translators: screening.HistoricalEligibilityAssessment.reasons, screening.EligibilityAssessment.reasons
gettext_noop("Computed: the criteria not met or not answered.")

# Translators: screening.HistoricalEligibilityAssessment.confirmed_at, screening.EligibilityAssessment.confirmed_at
gettext_noop("confirmed at")

# Translators: screening.HistoricalEligibilityAssessment.confirmed_by, screening.EligibilityAssessment.confirmed_by
gettext_noop("confirmed by")

# Translators: screening.EligibilityAssessment
gettext_noop("eligibility assessments")

# Translators: screening.MedicalHistory, screening.HistoricalPriorTherapy.medical_history, screening.PriorTherapy.medical_history
gettext_noop("medical history")

# Translators: screening.MedicalHistory
gettext_noop("medical histories")

# Translators: screening.HistoricalMedicalHistory.diagnosis_date, screening.MedicalHistory.diagnosis_date
gettext_noop("AML diagnosis date")

# Translators: screening.HistoricalMedicalHistory.classification_system, screening.MedicalHistory.classification_system
gettext_noop("classification system")

# Translators: screening.HistoricalMedicalHistory.classification_system, screening.MedicalHistory.classification_system, screening.MedicalHistory.Classification
gettext_noop("WHO 2022")

# Translators: screening.HistoricalMedicalHistory.classification_system, screening.MedicalHistory.classification_system, screening.MedicalHistory.Classification
gettext_noop("ICC 2022")

# Translators: screening.HistoricalMedicalHistory.classification, screening.MedicalHistory.classification
gettext_noop("classification")

# Translators: screening.HistoricalMedicalHistory.classification, screening.MedicalHistory.classification
gettext_noop("e.g. AML with NPM1 mutation.")

# Translators: screening.HistoricalMedicalHistory.eln_risk, screening.MedicalHistory.eln_risk
gettext_noop("ELN 2022 genetic risk")

# Translators: screening.HistoricalMedicalHistory.eln_risk, screening.MedicalHistory.eln_risk, screening.MedicalHistory.ElnRisk
gettext_noop("Favorable")

# Translators: screening.HistoricalMedicalHistory.eln_risk, screening.MedicalHistory.eln_risk, screening.MedicalHistory.ElnRisk
gettext_noop("Intermediate")

# Translators: screening.HistoricalMedicalHistory.eln_risk, screening.MedicalHistory.eln_risk, screening.MedicalHistory.ElnRisk
gettext_noop("Adverse")

# Translators: screening.HistoricalMedicalHistory.disease_status, screening.MedicalHistory.disease_status
gettext_noop("disease status")

# Translators: screening.HistoricalMedicalHistory.disease_status, screening.MedicalHistory.disease_status, screening.MedicalHistory.DiseaseStatus
gettext_noop("Relapsed")

# Translators: screening.HistoricalMedicalHistory.disease_status, screening.MedicalHistory.disease_status, screening.MedicalHistory.DiseaseStatus
gettext_noop("Refractory")

# Translators: screening.HistoricalMedicalHistory.disease_status, screening.MedicalHistory.disease_status, screening.MedicalHistory.DiseaseStatus
gettext_noop("Relapsed and refractory")

# Translators: screening.HistoricalMedicalHistory.prior_allo_transplant, screening.MedicalHistory.prior_allo_transplant
gettext_noop("prior allogeneic transplant")

# Translators: screening.HistoricalMedicalHistory.transplant_date, screening.MedicalHistory.transplant_date
gettext_noop("transplant date")

# Translators: screening.HistoricalMedicalHistory.baseline_marrow_date, screening.MedicalHistory.baseline_marrow_date
gettext_noop("screening marrow date")

# Translators: screening.HistoricalMedicalHistory.baseline_marrow_blasts_pct, screening.MedicalHistory.baseline_marrow_blasts_pct
# xgettext:no-python-format
gettext_noop("screening marrow blasts (%)")

# Translators: screening.HistoricalMedicalHistory.baseline_extramedullary_disease, screening.MedicalHistory.baseline_extramedullary_disease
gettext_noop("extramedullary disease at screening")

# Translators: screening.PriorTherapy
gettext_noop("prior therapy")

# Translators: screening.PriorTherapy
gettext_noop("prior therapies")

# Translators: screening.HistoricalPriorTherapy.line, screening.PriorTherapy.line
gettext_noop("line")

# Translators: screening.HistoricalPriorTherapy.regimen, screening.PriorTherapy.regimen, dosing.HistoricalLymphodepletion.regimen and 1 more
gettext_noop("regimen")

# Translators: screening.HistoricalPriorTherapy.start_date, screening.PriorTherapy.start_date, dosing.HistoricalLymphodepletion.start_date and 3 more
gettext_noop("start date")

# Translators: screening.HistoricalPriorTherapy.end_date, screening.PriorTherapy.end_date, dosing.HistoricalLymphodepletion.end_date and 1 more
gettext_noop("end date")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response
gettext_noop("best response")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response, screening.PriorTherapy.BestResponse and 4 more
gettext_noop("CR")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response, screening.PriorTherapy.BestResponse and 4 more
gettext_noop("CRi")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response, screening.PriorTherapy.BestResponse and 4 more
gettext_noop("PR")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response, screening.PriorTherapy.BestResponse and 4 more
gettext_noop("SD")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response, screening.PriorTherapy.BestResponse and 4 more
gettext_noop("PD")

# Translators: screening.HistoricalPriorTherapy.best_response, screening.PriorTherapy.best_response, screening.PriorTherapy.BestResponse and 3 more
gettext_noop("Unknown")

# Translators: dosing.LymphodepletionRegimen
gettext_noop("lymphodepletion regimen")

# Translators: dosing.HistoricalLymphodepletionRegimen.agents, dosing.LymphodepletionRegimen.agents
gettext_noop("agents")

# Translators: dosing.HistoricalLymphodepletionRegimen.agents, dosing.LymphodepletionRegimen.agents
gettext_noop("Agents and doses, e.g. fludarabine 30 mg/m2/day.")

# Translators: dosing.HistoricalLymphodepletionRegimen.schedule, dosing.LymphodepletionRegimen.schedule
gettext_noop("e.g. days -5 to -3.")

# Translators: dosing.LymphodepletionRegimen
gettext_noop("lymphodepletion regimens")

# Translators: dosing.Cohort, dosing.HistoricalEnrollment.cohort, dosing.Enrollment.cohort and 2 more
gettext_noop("cohort")

# Translators: dosing.HistoricalCohort.size, dosing.Cohort.size
gettext_noop("size")

# Translators: dosing.HistoricalCohort.size, dosing.Cohort.size
gettext_noop("DLT-evaluable patients the cohort needs; replaced patients add a slot.")

# Translators: dosing.HistoricalCohort.status, dosing.Cohort.status, dosing.Cohort.Status and 3 more
gettext_noop("Open")

# Translators: dosing.HistoricalCohort.status, dosing.Cohort.status, dosing.Cohort.Status
gettext_noop("Full (in DLT observation)")

# Translators: dosing.HistoricalCohort.status, dosing.Cohort.status, dosing.Cohort.Status
gettext_noop("Awaiting safety review")

# Translators: dosing.HistoricalCohort.status, dosing.Cohort.status, dosing.Cohort.Status and 6 more
gettext_noop("Closed")

# Translators: dosing.HistoricalCohort.opened_by_decision, dosing.Cohort.opened_by_decision
gettext_noop("opened by decision")

# Translators: dosing.Cohort
gettext_noop("cohorts")

# Translators: dosing.Enrollment, dosing.HistoricalLymphodepletion.enrollment, dosing.Lymphodepletion.enrollment and 4 more
gettext_noop("enrollment")

# Translators: dosing.HistoricalEnrollment.enrollment_date, dosing.Enrollment.enrollment_date
gettext_noop("enrollment date")

# Translators: dosing.HistoricalEnrollment.enrolled_by, dosing.Enrollment.enrolled_by
gettext_noop("enrolled by")

# Translators: dosing.Enrollment
gettext_noop("enrollments")

# Translators: dosing.Lymphodepletion
gettext_noop("lymphodepletion")

# Translators: dosing.HistoricalLymphodepletion.agents_and_doses, dosing.Lymphodepletion.agents_and_doses
gettext_noop("agents and doses")

# Translators: dosing.HistoricalLymphodepletion.agents_and_doses, dosing.Lymphodepletion.agents_and_doses
gettext_noop("As given, e.g. fludarabine 30 mg/m2/day x3.")

# Translators: dosing.HistoricalLymphodepletion.completed, dosing.Lymphodepletion.completed
gettext_noop("completed")

# Translators: dosing.HistoricalLymphodepletion.completed, dosing.Lymphodepletion.completed
gettext_noop("Given in full as planned.")

# Translators: dosing.HistoricalLymphodepletion.notes, dosing.Lymphodepletion.notes
gettext_noop("notes")

# Translators: dosing.Lymphodepletion
gettext_noop("lymphodepletions")

# Translators: dosing.Infusion
gettext_noop("infusion")

# Translators: dosing.HistoricalInfusion.number, dosing.Infusion.number
gettext_noop("Counted by the system (1 = first CAR-NK infusion).")

# Translators: dosing.HistoricalInfusion.started_at, dosing.Infusion.started_at
gettext_noop("infusion start")

# Translators: dosing.HistoricalInfusion.planned_cells_per_kg_million, dosing.Infusion.planned_cells_per_kg_million
gettext_noop("planned dose (x10^6 cells/kg)")

# Translators: dosing.HistoricalInfusion.actual_cells_per_kg_million, dosing.Infusion.actual_cells_per_kg_million
gettext_noop("actual dose (x10^6 cells/kg)")

# Translators: dosing.HistoricalInfusion.partial_dose, dosing.Infusion.partial_dose
gettext_noop("partial dose")

# Translators: dosing.HistoricalInfusion.partial_dose, dosing.Infusion.partial_dose
gettext_noop("Derived: the actual dose is below the planned dose by more than the tolerance.")

# Translators: dosing.HistoricalInfusion.infusion_reaction, dosing.Infusion.infusion_reaction
gettext_noop("infusion reaction")

# Translators: dosing.HistoricalInfusion.premedication, dosing.Infusion.premedication
gettext_noop("premedication")

# Translators: dosing.Infusion
gettext_noop("infusions")

# Translators: dosing.DltEvaluation
gettext_noop("DLT evaluation")

# Translators: dosing.DltEvaluation
gettext_noop("DLT evaluations")

# Translators: dosing.HistoricalDltEvaluation.dlt_description, dosing.DltEvaluation.dlt_description
gettext_noop("DLT description")

# Translators: dosing.HistoricalDltEvaluation.dlt_onset_date, dosing.DltEvaluation.dlt_onset_date
gettext_noop("DLT onset")

# Translators: dosing.HistoricalDltEvaluation.dlt_grade, dosing.DltEvaluation.dlt_grade
gettext_noop("DLT grade")

# Translators: dosing.HistoricalDltEvaluation.off_study_date, dosing.DltEvaluation.off_study_date
gettext_noop("off study date")

# Translators: dosing.HistoricalDltEvaluation.off_study_date, dosing.DltEvaluation.off_study_date
gettext_noop("Withdrawn, or died of unrelated causes, during the window.")

# Translators: dosing.HistoricalDltEvaluation.off_study_reason, dosing.DltEvaluation.off_study_reason
gettext_noop("off study reason")

# Translators: dosing.HistoricalDltEvaluation.off_study_reason, dosing.DltEvaluation.off_study_reason, dosing.DltEvaluation.OffStudy
gettext_noop("Died of causes unrelated to treatment")

# Translators: dosing.HistoricalDltEvaluation.day0, dosing.DltEvaluation.day0
gettext_noop("day 0 (first infusion)")

# Translators: dosing.HistoricalDltEvaluation.day0, dosing.DltEvaluation.day0
gettext_noop("Derived: the date of the first CAR-NK infusion.")

# Translators: dosing.HistoricalDltEvaluation.window_end, dosing.DltEvaluation.window_end
gettext_noop("end of DLT window")

# Translators: dosing.HistoricalDltEvaluation.window_end, dosing.DltEvaluation.window_end
gettext_noop("Derived: day 0 (the first CAR-NK infusion) + the study's DLT window (28 days).")

# Translators: dosing.HistoricalDltEvaluation.status, dosing.DltEvaluation.status
gettext_noop("Computed from the infusions, the adjudicated DLTs and the follow-up: evaluable once infused with the assigned dose and the window (day 0 to 28) has closed or a DLT was adjudicated in it; not evaluable after a partial dose, another dose level, withdrawal or an unrelated death before day 28 without DLT. Never entered.")

# Translators: dosing.HistoricalDltEvaluation.status, dosing.DltEvaluation.status, dosing.DltEvaluation.Status
gettext_noop("Pending")

# Translators: dosing.HistoricalDltEvaluation.status, dosing.DltEvaluation.status, dosing.DltEvaluation.Status
gettext_noop("Evaluable, no DLT")

# Translators: dosing.HistoricalDltEvaluation.status, dosing.DltEvaluation.status, dosing.DltEvaluation.Status
gettext_noop("DLT")

# Translators: dosing.HistoricalDltEvaluation.status, dosing.DltEvaluation.status, dosing.DltEvaluation.Status
gettext_noop("Not evaluable")

# Translators: dosing.HistoricalDltEvaluation.replace, dosing.DltEvaluation.replace
gettext_noop("must be replaced")

# Translators: dosing.HistoricalDltEvaluation.replace, dosing.DltEvaluation.replace
gettext_noop("Computed: a patient not evaluable for DLT is replaced in the cohort.")

# Translators: dosing.HistoricalDltEvaluation.status_reason, dosing.DltEvaluation.status_reason
gettext_noop("status reason")

# Translators: dosing.HistoricalDltEvaluation.status_reason, dosing.DltEvaluation.status_reason
gettext_noop("Why the rule gave this status.")

# Translators: dosing.HistoricalDltEvaluation.investigator_confirmed_at, dosing.DltEvaluation.investigator_confirmed_at
gettext_noop("investigator confirmed at")

# Translators: dosing.HistoricalDltEvaluation.reviewer_confirmed_at, dosing.DltEvaluation.reviewer_confirmed_at
gettext_noop("reviewer confirmed at")

# Translators: dosing.HistoricalDltEvaluation.investigator_confirmed_by, dosing.DltEvaluation.investigator_confirmed_by
gettext_noop("investigator confirmed by")

# Translators: dosing.HistoricalDltEvaluation.reviewer_confirmed_by, dosing.DltEvaluation.reviewer_confirmed_by
gettext_noop("reviewer confirmed by")

# Translators: dosing.EscalationDecision
gettext_noop("escalation decision")

# Translators: dosing.HistoricalEscalationDecision.recommended_action, dosing.EscalationDecision.recommended_action
gettext_noop("recommended action")

# Translators: dosing.HistoricalEscalationDecision.recommended_action, dosing.EscalationDecision.recommended_action
gettext_noop("Computed by the study's escalation design (3+3 or BOIN) from the adjudicated DLTs when the decision was recorded.")

# Translators: dosing.HistoricalEscalationDecision.recommended_action, dosing.HistoricalEscalationDecision.action, dosing.EscalationDecision.recommended_action and 2 more
gettext_noop("Escalate")

# Translators: dosing.HistoricalEscalationDecision.recommended_action, dosing.HistoricalEscalationDecision.action, dosing.EscalationDecision.recommended_action and 2 more
gettext_noop("Stay at the same dose")

# Translators: dosing.HistoricalEscalationDecision.recommended_action, dosing.HistoricalEscalationDecision.action, dosing.EscalationDecision.recommended_action and 2 more
gettext_noop("De-escalate")

# Translators: dosing.HistoricalEscalationDecision.recommended_action, dosing.HistoricalEscalationDecision.action, dosing.EscalationDecision.recommended_action and 2 more
gettext_noop("Stop escalation")

# Translators: dosing.HistoricalEscalationDecision.recommended_next_dose, dosing.EscalationDecision.recommended_next_dose
gettext_noop("recommended next dose")

# Translators: dosing.HistoricalEscalationDecision.recommended_mtd, dosing.EscalationDecision.recommended_mtd
gettext_noop("recommended mtd")

# Translators: dosing.HistoricalEscalationDecision.recommendation_reason, dosing.EscalationDecision.recommendation_reason
gettext_noop("recommendation reason")

# Translators: dosing.HistoricalEscalationDecision.data_snapshot, dosing.EscalationDecision.data_snapshot
gettext_noop("data snapshot")

# Translators: dosing.HistoricalEscalationDecision.data_snapshot, dosing.EscalationDecision.data_snapshot
gettext_noop("n and y per dose.")

# Translators: dosing.HistoricalEscalationDecision.action, dosing.EscalationDecision.action
gettext_noop("action")

# Translators: dosing.HistoricalEscalationDecision.agrees, dosing.EscalationDecision.agrees
gettext_noop("agrees")

# Translators: dosing.HistoricalEscalationDecision.agrees, dosing.EscalationDecision.agrees
gettext_noop("Computed: the decision follows the recommendation.")

# Translators: dosing.HistoricalEscalationDecision.rationale, dosing.EscalationDecision.rationale
gettext_noop("rationale")

# Translators: dosing.HistoricalEscalationDecision.rationale, dosing.EscalationDecision.rationale
gettext_noop("Required when the decision departs from the recommendation.")

# Translators: dosing.HistoricalEscalationDecision.signed_at, dosing.EscalationDecision.signed_at, monitoring.HistoricalSignature.signed_at and 1 more
gettext_noop("signed at")

# Translators: dosing.HistoricalEscalationDecision.next_dose_level, dosing.EscalationDecision.next_dose_level
gettext_noop("next dose level")

# Translators: dosing.HistoricalEscalationDecision.next_dose_level, dosing.EscalationDecision.next_dose_level
gettext_noop("Dose for the next cohort (not when stopping).")

# Translators: dosing.HistoricalEscalationDecision.mtd_dose_level, dosing.EscalationDecision.mtd_dose_level
gettext_noop("mtd dose level")

# Translators: dosing.HistoricalEscalationDecision.mtd_dose_level, dosing.EscalationDecision.mtd_dose_level
gettext_noop("When stopping: the MTD (empty = no tolerable dose).")

# Translators: dosing.EscalationDecision
gettext_noop("escalation decisions")

# Translators: safety.DltCriteriaConfig
gettext_noop("DLT criteria")

# Translators: safety.HistoricalDltCriteriaConfig.crs_grade_4, safety.DltCriteriaConfig.crs_grade_4
gettext_noop("grade 4 CRS")

# Translators: safety.HistoricalDltCriteriaConfig.crs_grade_3_max_hours, safety.DltCriteriaConfig.crs_grade_3_max_hours
gettext_noop("grade 3 CRS: hours to get back to grade <= 2")

# Translators: safety.HistoricalDltCriteriaConfig.crs_grade_3_max_hours, safety.DltCriteriaConfig.crs_grade_3_max_hours
gettext_noop("Empty: the clause is off.")

# Translators: safety.HistoricalDltCriteriaConfig.icans_min_grade, safety.DltCriteriaConfig.icans_min_grade
gettext_noop("ICANS from grade")

# Translators: safety.HistoricalDltCriteriaConfig.gvhd_min_grade, safety.DltCriteriaConfig.gvhd_min_grade
gettext_noop("GVHD from grade")

# Translators: safety.HistoricalDltCriteriaConfig.nonheme_min_grade, safety.DltCriteriaConfig.nonheme_min_grade
gettext_noop("related non-hematologic AE from grade")

# Translators: safety.HistoricalDltCriteriaConfig.nonheme_min_days, safety.DltCriteriaConfig.nonheme_min_days
gettext_noop("... lasting more than (days)")

# Translators: safety.HistoricalDltCriteriaConfig.nonheme_grade_4, safety.DltCriteriaConfig.nonheme_grade_4
gettext_noop("related non-hematologic grade 4 AE")

# Translators: safety.HistoricalDltCriteriaConfig.treatment_related_death, safety.DltCriteriaConfig.treatment_related_death
gettext_noop("treatment related death")

# Translators: safety.HistoricalDltCriteriaConfig.cytopenia_after_day, safety.DltCriteriaConfig.cytopenia_after_day
gettext_noop("prolonged cytopenia beyond day")

# Translators: safety.HistoricalDltCriteriaConfig.anc_below, safety.DltCriteriaConfig.anc_below
gettext_noop("ANC below (10^9/L)")

# Translators: safety.HistoricalDltCriteriaConfig.platelets_below, safety.DltCriteriaConfig.platelets_below
gettext_noop("platelets below (10^9/L)")

# Translators: safety.AdverseEvent, safety.HistoricalAeGrade.adverse_event, safety.AeGrade.adverse_event and 8 more
gettext_noop("adverse event")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("CTCAE v5.0 term")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Cytokine release syndrome")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Immune effector cell-associated neurotoxicity syndrome")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Graft versus host disease")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Infusion related reaction")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Febrile neutropenia")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Sepsis")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Tumor lysis syndrome")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Hypotension")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Hypoxia")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Alanine aminotransferase increased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Aspartate aminotransferase increased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Blood bilirubin increased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Creatinine increased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Fever")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Neutrophil count decreased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Platelet count decreased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Anemia")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("White blood cell decreased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Lymphocyte count decreased")

# Translators: safety.HistoricalAdverseEvent.term, safety.AdverseEvent.term
gettext_noop("Other, specify")

# Translators: safety.HistoricalAdverseEvent.other_term, safety.AdverseEvent.other_term
gettext_noop("other term, specify")

# Translators: safety.HistoricalAdverseEvent.onset_date, safety.AdverseEvent.onset_date
gettext_noop("onset date")

# Translators: safety.HistoricalAdverseEvent.resolution_date, safety.AdverseEvent.resolution_date
gettext_noop("resolution date")

# Translators: safety.HistoricalAdverseEvent.worst_grade, safety.AdverseEvent.worst_grade
gettext_noop("worst grade")

# Translators: safety.HistoricalAdverseEvent.worst_grade, safety.AdverseEvent.worst_grade
gettext_noop("Derived from the grade episodes.")

# Translators: safety.HistoricalAdverseEvent.serious, safety.AdverseEvent.serious
gettext_noop("serious")

# Translators: safety.HistoricalAdverseEvent.sc_death, safety.AdverseEvent.sc_death
gettext_noop("results in death")

# Translators: safety.HistoricalAdverseEvent.sc_life_threatening, safety.AdverseEvent.sc_life_threatening
gettext_noop("life-threatening")

# Translators: safety.HistoricalAdverseEvent.sc_hospitalization, safety.AdverseEvent.sc_hospitalization
gettext_noop("requires or prolongs hospitalization")

# Translators: safety.HistoricalAdverseEvent.sc_disability, safety.AdverseEvent.sc_disability
gettext_noop("persistent or significant disability/incapacity")

# Translators: safety.HistoricalAdverseEvent.sc_congenital_anomaly, safety.AdverseEvent.sc_congenital_anomaly
gettext_noop("congenital anomaly/birth defect")

# Translators: safety.HistoricalAdverseEvent.sc_important_medical_event, safety.AdverseEvent.sc_important_medical_event
gettext_noop("important medical event")

# Translators: safety.HistoricalAdverseEvent.aware_at, safety.AdverseEvent.aware_at
gettext_noop("site aware of the SAE")

# Translators: safety.HistoricalAdverseEvent.reported_at, safety.AdverseEvent.reported_at
gettext_noop("initial SAE report sent")

# Translators: safety.HistoricalAdverseEvent.report_deadline, safety.AdverseEvent.report_deadline
gettext_noop("initial report due")

# Translators: safety.HistoricalAdverseEvent.report_deadline, safety.AdverseEvent.report_deadline
gettext_noop("Derived: 24 hours after the site became aware of the SAE.")

# Translators: safety.HistoricalAdverseEvent.relation_car_nk, safety.AdverseEvent.relation_car_nk
gettext_noop("relation to NKG2D CAR-NK cells")

# Translators: safety.HistoricalAdverseEvent.relation_car_nk, safety.HistoricalAdverseEvent.relation_lymphodepletion, safety.AdverseEvent.relation_car_nk and 4 more
gettext_noop("Unrelated")

# Translators: safety.HistoricalAdverseEvent.relation_car_nk, safety.HistoricalAdverseEvent.relation_lymphodepletion, safety.AdverseEvent.relation_car_nk and 4 more
gettext_noop("Unlikely")

# Translators: safety.HistoricalAdverseEvent.relation_car_nk, safety.HistoricalAdverseEvent.relation_lymphodepletion, safety.AdverseEvent.relation_car_nk and 4 more
gettext_noop("Possible")

# Translators: safety.HistoricalAdverseEvent.relation_car_nk, safety.HistoricalAdverseEvent.relation_lymphodepletion, safety.AdverseEvent.relation_car_nk and 4 more
gettext_noop("Probable")

# Translators: safety.HistoricalAdverseEvent.relation_car_nk, safety.HistoricalAdverseEvent.relation_lymphodepletion, safety.AdverseEvent.relation_car_nk and 4 more
gettext_noop("Definite")

# Translators: safety.HistoricalAdverseEvent.relation_lymphodepletion, safety.AdverseEvent.relation_lymphodepletion
gettext_noop("relation to lymphodepletion")

# Translators: safety.HistoricalAdverseEvent.action_taken, safety.AdverseEvent.action_taken
gettext_noop("action taken")

# Translators: safety.HistoricalAdverseEvent.action_taken, safety.AdverseEvent.action_taken, safety.AdverseEvent.Action and 9 more
gettext_noop("None")

# Translators: safety.HistoricalAdverseEvent.action_taken, safety.AdverseEvent.action_taken, safety.AdverseEvent.Action
gettext_noop("Treatment given")

# Translators: safety.HistoricalAdverseEvent.action_taken, safety.AdverseEvent.action_taken, safety.AdverseEvent.Action
gettext_noop("Infusion interrupted")

# Translators: safety.HistoricalAdverseEvent.action_taken, safety.AdverseEvent.action_taken, safety.AdverseEvent.Action
gettext_noop("Infusion stopped")

# Translators: safety.HistoricalAdverseEvent.action_taken, safety.AdverseEvent.action_taken, safety.AdverseEvent.Action and 9 more
gettext_noop("Other")

# Translators: safety.HistoricalAdverseEvent.outcome, safety.AdverseEvent.outcome
gettext_noop("outcome")

# Translators: safety.HistoricalAdverseEvent.outcome, safety.AdverseEvent.outcome, safety.AdverseEvent.Outcome
gettext_noop("Recovered/resolved")

# Translators: safety.HistoricalAdverseEvent.outcome, safety.AdverseEvent.outcome, safety.AdverseEvent.Outcome
gettext_noop("Recovering/resolving")

# Translators: safety.HistoricalAdverseEvent.outcome, safety.AdverseEvent.outcome, safety.AdverseEvent.Outcome
gettext_noop("Not recovered/not resolved")

# Translators: safety.HistoricalAdverseEvent.outcome, safety.AdverseEvent.outcome, safety.AdverseEvent.Outcome
gettext_noop("Recovered with sequelae")

# Translators: safety.HistoricalAdverseEvent.outcome, safety.AdverseEvent.outcome, safety.AdverseEvent.Outcome
gettext_noop("Fatal")

# Translators: safety.HistoricalAdverseEvent.coded_term, safety.AdverseEvent.coded_term
gettext_noop("MedDRA term (coded)")

# Translators: safety.HistoricalAdverseEvent.coded_term, safety.AdverseEvent.coded_term
gettext_noop("Set by a data manager for terms the CTCAE v5.0 table does not code (Other, specify; ICANS; GVHD).")

# Translators: safety.HistoricalAdverseEvent.coded_soc, safety.AdverseEvent.coded_soc
gettext_noop("MedDRA system organ class (coded)")

# Translators: safety.AdverseEvent
gettext_noop("adverse events")

# Translators: safety.AeGrade
gettext_noop("AE grade episode")

# Translators: safety.AeGrade
gettext_noop("AE grade episodes")

# Translators: safety.HistoricalAeGrade.from_date, safety.AeGrade.from_date
gettext_noop("from date")

# Translators: safety.HistoricalAeGrade.grade, safety.AeGrade.grade, safety.HistoricalCrsAssessment.grade and 3 more
gettext_noop("grade")

# Translators: safety.CrsAssessment
gettext_noop("CRS assessment")

# Translators: safety.CrsAssessment
gettext_noop("CRS assessments")

# Translators: safety.HistoricalCrsAssessment.assessed_at, safety.CrsAssessment.assessed_at, safety.HistoricalIcansAssessment.assessed_at and 1 more
gettext_noop("assessed at")

# Translators: safety.HistoricalCrsAssessment.max_temp_c, safety.CrsAssessment.max_temp_c
gettext_noop("maximum temperature (C)")

# Translators: safety.HistoricalCrsAssessment.hypotension, safety.CrsAssessment.hypotension
gettext_noop("hypotension")

# Translators: safety.HistoricalCrsAssessment.vasopressors, safety.CrsAssessment.vasopressors
gettext_noop("vasopressors (count, vasopressin not counted)")

# Translators: safety.HistoricalCrsAssessment.vasopressin, safety.CrsAssessment.vasopressin
gettext_noop("vasopressin")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device
gettext_noop("oxygen device")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("None (room air)")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("Blow-by")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("Nasal cannula")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("High-flow nasal cannula")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("Facemask")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("Non-rebreather mask")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("Venturi mask")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("CPAP")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("BiPAP")

# Translators: safety.HistoricalCrsAssessment.oxygen_device, safety.CrsAssessment.oxygen_device, safety.CrsAssessment.OxygenDevice
gettext_noop("Intubation and mechanical ventilation")

# Translators: safety.HistoricalCrsAssessment.oxygen_flow_l_min, safety.CrsAssessment.oxygen_flow_l_min
gettext_noop("oxygen flow (L/min)")

# Translators: safety.HistoricalCrsAssessment.fever_masked, safety.CrsAssessment.fever_masked
gettext_noop("tocilizumab or steroids given")

# Translators: safety.HistoricalCrsAssessment.fever_masked, safety.CrsAssessment.fever_masked
gettext_noop("Antipyretic or anti-cytokine therapy masks fever: hypotension and hypoxia grade alone.")

# Translators: safety.HistoricalCrsAssessment.fatal, safety.CrsAssessment.fatal
gettext_noop("death due to CRS")

# Translators: safety.HistoricalCrsAssessment.grade, safety.CrsAssessment.grade
gettext_noop("ASTCT 2019 consensus grade (Lee et al.), computed from the findings above: fever with the worst of hypotension (vasopressors) and hypoxia (oxygen device); never entered.")

# Translators: safety.IcansAssessment
gettext_noop("ICANS assessment")

# Translators: safety.IcansAssessment
gettext_noop("ICANS assessments")

# Translators: safety.HistoricalIcansAssessment.ice_score, safety.IcansAssessment.ice_score
gettext_noop("ICE score (age >= 12)")

# Translators: safety.HistoricalIcansAssessment.capd_score, safety.IcansAssessment.capd_score
gettext_noop("CAPD score (age < 12)")

# Translators: safety.HistoricalIcansAssessment.unable_to_assess, safety.IcansAssessment.unable_to_assess
gettext_noop("unarousable, cannot perform ICE/CAPD")

# Translators: safety.HistoricalIcansAssessment.consciousness, safety.IcansAssessment.consciousness
gettext_noop("consciousness")

# Translators: safety.HistoricalIcansAssessment.consciousness, safety.IcansAssessment.consciousness, safety.IcansAssessment.Consciousness
gettext_noop("Alert")

# Translators: safety.HistoricalIcansAssessment.consciousness, safety.IcansAssessment.consciousness, safety.IcansAssessment.Consciousness
gettext_noop("Awakens spontaneously")

# Translators: safety.HistoricalIcansAssessment.consciousness, safety.IcansAssessment.consciousness, safety.IcansAssessment.Consciousness
gettext_noop("Awakens to voice")

# Translators: safety.HistoricalIcansAssessment.consciousness, safety.IcansAssessment.consciousness, safety.IcansAssessment.Consciousness
gettext_noop("Awakens only to tactile stimulus")

# Translators: safety.HistoricalIcansAssessment.consciousness, safety.IcansAssessment.consciousness, safety.IcansAssessment.Consciousness
gettext_noop("Unarousable")

# Translators: safety.HistoricalIcansAssessment.seizure, safety.IcansAssessment.seizure
gettext_noop("seizure")

# Translators: safety.HistoricalIcansAssessment.seizure, safety.IcansAssessment.seizure, safety.IcansAssessment.Seizure
gettext_noop("Any seizure resolving rapidly (or non-convulsive, resolving)")

# Translators: safety.HistoricalIcansAssessment.seizure, safety.IcansAssessment.seizure, safety.IcansAssessment.Seizure
gettext_noop("Life-threatening (> 5 min, or repetitive without recovery)")

# Translators: safety.HistoricalIcansAssessment.motor_weakness, safety.IcansAssessment.motor_weakness
gettext_noop("deep focal motor weakness")

# Translators: safety.HistoricalIcansAssessment.cerebral_edema, safety.IcansAssessment.cerebral_edema
gettext_noop("cerebral edema")

# Translators: safety.HistoricalIcansAssessment.cerebral_edema, safety.IcansAssessment.cerebral_edema, safety.IcansAssessment.Edema
gettext_noop("Focal/local edema")

# Translators: safety.HistoricalIcansAssessment.cerebral_edema, safety.IcansAssessment.cerebral_edema, safety.IcansAssessment.Edema
gettext_noop("Diffuse edema, posturing, CN VI palsy, papilledema or Cushing's triad")

# Translators: safety.HistoricalIcansAssessment.fatal, safety.IcansAssessment.fatal
gettext_noop("death due to ICANS")

# Translators: safety.HistoricalIcansAssessment.grade, safety.IcansAssessment.grade
gettext_noop("ASTCT 2019 consensus grade (Lee et al.), computed from the findings above: the worst of the ICE score, level of consciousness, seizure, motor findings and raised intracranial pressure or cerebral edema; never entered.")

# Translators: safety.LabResult
gettext_noop("lab result")

# Translators: safety.HistoricalLabResult.collected_on, safety.LabResult.collected_on
gettext_noop("collected on")

# Translators: safety.HistoricalLabResult.test, safety.LabResult.test
gettext_noop("test")

# Translators: safety.HistoricalLabResult.test, safety.LabResult.test, safety.LabResult.Test
gettext_noop("Total bilirubin")

# Translators: safety.HistoricalLabResult.test, safety.LabResult.test, safety.LabResult.Test
gettext_noop("Creatinine")

# Translators: safety.HistoricalLabResult.test, safety.LabResult.test, safety.LabResult.Test
gettext_noop("Neutrophils (ANC)")

# Translators: safety.HistoricalLabResult.test, safety.LabResult.test, safety.LabResult.Test
gettext_noop("Platelets")

# Translators: safety.HistoricalLabResult.test, safety.LabResult.test, safety.LabResult.Test
gettext_noop("Hemoglobin")

# Translators: safety.HistoricalLabResult.value, safety.LabResult.value
gettext_noop("value")

# Translators: safety.HistoricalLabResult.unit, safety.LabResult.unit
gettext_noop("unit")

# Translators: safety.HistoricalLabResult.unit, safety.LabResult.unit
gettext_noop("The unit the value, ULN, LLN and baseline are in.")

# Translators: safety.HistoricalLabResult.uln, safety.LabResult.uln
gettext_noop("ULN")

# Translators: safety.HistoricalLabResult.lln, safety.LabResult.lln
gettext_noop("LLN")

# Translators: safety.HistoricalLabResult.baseline, safety.LabResult.baseline
gettext_noop("baseline")

# Translators: safety.HistoricalLabResult.value_standard, safety.LabResult.value_standard
gettext_noop("value in the grading unit")

# Translators: safety.HistoricalLabResult.value_standard, safety.LabResult.value_standard
gettext_noop("Derived: the value converted to the unit the grade is defined in.")

# Translators: safety.HistoricalLabResult.ctcae_grade, safety.LabResult.ctcae_grade
gettext_noop("CTCAE grade")

# Translators: safety.HistoricalLabResult.ctcae_grade, safety.LabResult.ctcae_grade
gettext_noop("CTCAE v5.0 grade computed from the value, the normal range and the baseline; never entered.")

# Translators: safety.HistoricalLabResult.grading_note, safety.LabResult.grading_note
gettext_noop("grading note")

# Translators: safety.HistoricalLabResult.grading_note, safety.LabResult.grading_note
gettext_noop("How the grade was computed.")

# Translators: safety.LabResult
gettext_noop("lab results")

# Translators: safety.DltCandidate
gettext_noop("DLT candidate")

# Translators: safety.DltCandidate
gettext_noop("DLT candidates")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("clause")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("Computed: the protocol's DLT definition the event meets (the study's DLT criteria, within the 28-day DLT window).")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("Grade 4 CRS")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("Grade 3 CRS not back to grade <= 2 within the allowed time")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("ICANS at or above the DLT grade")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("GVHD at or above the DLT grade")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("Non-hematologic AE at least possibly related, at or above the DLT grade, lasting too long")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("Grade 4 non-hematologic AE at least possibly related")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("Treatment-related death")

# Translators: safety.HistoricalDltCandidate.clause, safety.DltCandidate.clause
gettext_noop("ANC or platelets below the limit beyond day 42 with a leukemia-free hypocellular marrow")

# Translators: safety.HistoricalDltCandidate.detail, safety.DltCandidate.detail
gettext_noop("detail")

# Translators: safety.HistoricalDltCandidate.flagged_at, safety.DltCandidate.flagged_at
gettext_noop("flagged at")

# Translators: safety.HistoricalDltCandidate.status, safety.DltCandidate.status
gettext_noop("Computed: open when the system flags the event, withdrawn when a correction undoes the clause; accepted or rejected by the investigator's adjudication.")

# Translators: safety.HistoricalDltCandidate.status, safety.DltCandidate.status, safety.DltCandidate.Status
gettext_noop("Accepted as the DLT")

# Translators: safety.HistoricalDltCandidate.status, safety.DltCandidate.status, safety.DltCandidate.Status
gettext_noop("Rejected")

# Translators: safety.HistoricalDltCandidate.status, safety.DltCandidate.status, safety.DltCandidate.Status
gettext_noop("Withdrawn (no longer meets the clause)")

# Translators: safety.HistoricalDltCandidate.decided_at, safety.DltCandidate.decided_at
gettext_noop("decided at")

# Translators: safety.HistoricalDltCandidate.decision_reason, safety.DltCandidate.decision_reason
gettext_noop("decision reason")

# Translators: safety.HistoricalDltCandidate.dlt_evaluation, safety.DltCandidate.dlt_evaluation
gettext_noop("dlt evaluation")

# Translators: safety.HistoricalDltCandidate.decided_by, safety.DltCandidate.decided_by
gettext_noop("decided by")

# Translators: safety.ConMed
gettext_noop("concomitant medication")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, followup.HistoricalProtocolDeviation.category and 1 more
gettext_noop("category")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, safety.ConMed.Category
gettext_noop("Tocilizumab (anti-IL-6)")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, safety.ConMed.Category
gettext_noop("Corticosteroid")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, safety.ConMed.Category
gettext_noop("Vasopressor")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, safety.ConMed.Category
gettext_noop("Anti-infective")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, safety.ConMed.Category
gettext_noop("Transfusion")

# Translators: safety.HistoricalConMed.category, safety.ConMed.category, safety.ConMed.Category
gettext_noop("Antipyretic")

# Translators: safety.HistoricalConMed.indication, safety.ConMed.indication
gettext_noop("indication")

# Translators: safety.HistoricalConMed.dose, safety.ConMed.dose
gettext_noop("dose")

# Translators: safety.HistoricalConMed.dose_unit, safety.ConMed.dose_unit
gettext_noop("dose unit")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route
gettext_noop("route")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route, safety.ConMed.Route
gettext_noop("Oral")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route, safety.ConMed.Route
gettext_noop("Intravenous")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route, safety.ConMed.Route
gettext_noop("Subcutaneous")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route, safety.ConMed.Route
gettext_noop("Intramuscular")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route, safety.ConMed.Route
gettext_noop("Inhaled")

# Translators: safety.HistoricalConMed.route, safety.ConMed.route, safety.ConMed.Route
gettext_noop("Topical")

# Translators: safety.HistoricalConMed.frequency, safety.ConMed.frequency
gettext_noop("frequency")

# Translators: safety.HistoricalConMed.frequency, safety.ConMed.frequency
gettext_noop("e.g. once, q8h, daily.")

# Translators: safety.HistoricalConMed.stop_date, safety.ConMed.stop_date
gettext_noop("stop date")

# Translators: safety.HistoricalConMed.ongoing, safety.ConMed.ongoing
gettext_noop("ongoing")

# Translators: safety.HistoricalConMed.adverse_event, safety.ConMed.adverse_event
gettext_noop("The AE it treats, if any.")

# Translators: safety.ConMed
gettext_noop("concomitant medications")

# Translators: followup.VisitDefinition
gettext_noop("visit definition")

# Translators: followup.HistoricalVisitDefinition.target_day, followup.VisitDefinition.target_day
gettext_noop("target day")

# Translators: followup.HistoricalVisitDefinition.target_day, followup.VisitDefinition.target_day
gettext_noop("Relative to day 0, the first CAR-NK infusion.")

# Translators: followup.HistoricalVisitDefinition.window_before, followup.VisitDefinition.window_before
gettext_noop("window: days before")

# Translators: followup.HistoricalVisitDefinition.window_after, followup.VisitDefinition.window_after
gettext_noop("window: days after")

# Translators: followup.HistoricalVisitDefinition.expected_crfs, followup.VisitDefinition.expected_crfs
gettext_noop("expected crfs")

# Translators: followup.HistoricalVisitDefinition.expected_crfs, followup.VisitDefinition.expected_crfs
gettext_noop("Any of: visit, labs, crs, icans, response.")

# Translators: followup.HistoricalVisitDefinition.order, followup.VisitDefinition.order
gettext_noop("order")

# Translators: followup.VisitDefinition
gettext_noop("visit definitions")

# Translators: followup.Visit, followup.HistoricalResponseAssessment.visit, followup.ResponseAssessment.visit
gettext_noop("visit")

# Translators: followup.HistoricalVisit.planned_date, followup.Visit.planned_date
gettext_noop("planned date")

# Translators: followup.HistoricalVisit.planned_date, followup.Visit.planned_date
gettext_noop("Derived: day 0 + the target day.")

# Translators: followup.HistoricalVisit.actual_date, followup.Visit.actual_date
gettext_noop("actual date")

# Translators: followup.HistoricalVisit.missed, followup.Visit.missed
gettext_noop("missed")

# Translators: followup.HistoricalVisit.missed_reason, followup.Visit.missed_reason
gettext_noop("missed reason")

# Translators: followup.HistoricalVisit.out_of_window, followup.Visit.out_of_window
gettext_noop("out of window")

# Translators: followup.HistoricalVisit.out_of_window, followup.Visit.out_of_window
gettext_noop("Derived: the visit date falls outside the visit's window.")

# Translators: followup.HistoricalVisit.definition, followup.Visit.definition
gettext_noop("definition")

# Translators: followup.Visit
gettext_noop("visits")

# Translators: followup.ResponseAssessment
gettext_noop("response assessment")

# Translators: followup.HistoricalResponseAssessment.marrow_assessment_date, followup.ResponseAssessment.marrow_assessment_date
gettext_noop("marrow assessment date")

# Translators: followup.HistoricalResponseAssessment.marrow_blasts_pct, followup.ResponseAssessment.marrow_blasts_pct
# xgettext:no-python-format
gettext_noop("marrow blasts (%)")

# Translators: followup.HistoricalResponseAssessment.baseline_marrow_blasts_pct, followup.ResponseAssessment.baseline_marrow_blasts_pct
# xgettext:no-python-format
gettext_noop("baseline marrow blasts (%)")

# Translators: followup.HistoricalResponseAssessment.baseline_marrow_blasts_pct, followup.ResponseAssessment.baseline_marrow_blasts_pct
gettext_noop("Prefilled from the screening marrow.")

# Translators: followup.HistoricalResponseAssessment.circulating_blasts, followup.ResponseAssessment.circulating_blasts
gettext_noop("blasts in peripheral blood")

# Translators: followup.HistoricalResponseAssessment.auer_rods, followup.ResponseAssessment.auer_rods
gettext_noop("auer rods")

# Translators: followup.HistoricalResponseAssessment.extramedullary_disease, followup.ResponseAssessment.extramedullary_disease
gettext_noop("extramedullary disease")

# Translators: followup.HistoricalResponseAssessment.baseline_extramedullary_disease, followup.ResponseAssessment.baseline_extramedullary_disease
gettext_noop("baseline extramedullary disease")

# Translators: followup.HistoricalResponseAssessment.anc, followup.ResponseAssessment.anc
gettext_noop("ANC (10^9/L)")

# Translators: followup.HistoricalResponseAssessment.platelets, followup.ResponseAssessment.platelets
gettext_noop("platelets (10^9/L)")

# Translators: followup.HistoricalResponseAssessment.mrd_pct, followup.ResponseAssessment.mrd_pct
# xgettext:no-python-format
gettext_noop("flow MRD (%)")

# Translators: followup.HistoricalResponseAssessment.in_remission, followup.ResponseAssessment.in_remission
gettext_noop("in remission")

# Translators: followup.HistoricalResponseAssessment.response, followup.ResponseAssessment.response
gettext_noop("response")

# Translators: followup.HistoricalResponseAssessment.response, followup.ResponseAssessment.response
gettext_noop("Computed by the ELN 2022 response criteria from the marrow blasts, blood counts, Auer rods and extramedullary disease; never entered.")

# Translators: followup.HistoricalResponseAssessment.response, followup.HistoricalResponseAssessment.investigator_response, followup.ResponseAssessment.response and 1 more
gettext_noop("CRh")

# Translators: followup.HistoricalResponseAssessment.response, followup.HistoricalResponseAssessment.investigator_response, followup.ResponseAssessment.response and 1 more
gettext_noop("MLFS")

# Translators: followup.HistoricalResponseAssessment.response, followup.HistoricalResponseAssessment.investigator_response, followup.ResponseAssessment.response and 1 more
gettext_noop("relapse")

# Translators: followup.HistoricalResponseAssessment.response, followup.HistoricalResponseAssessment.investigator_response, followup.ResponseAssessment.response and 1 more
gettext_noop("NE")

# Translators: followup.HistoricalResponseAssessment.mrd_negative, followup.ResponseAssessment.mrd_negative
gettext_noop("mrd negative")

# Translators: followup.HistoricalResponseAssessment.response_reason, followup.ResponseAssessment.response_reason
gettext_noop("response reason")

# Translators: followup.HistoricalResponseAssessment.response_reason, followup.ResponseAssessment.response_reason
gettext_noop("Why the rule gave this response.")

# Translators: followup.HistoricalResponseAssessment.investigator_response, followup.ResponseAssessment.investigator_response
gettext_noop("investigator response")

# Translators: followup.HistoricalResponseAssessment.disagreement, followup.ResponseAssessment.disagreement
gettext_noop("disagreement")

# Translators: followup.HistoricalResponseAssessment.disagreement_comment, followup.ResponseAssessment.disagreement_comment
gettext_noop("disagreement comment")

# Translators: followup.ResponseAssessment
gettext_noop("response assessments")

# Translators: followup.Disposition
gettext_noop("disposition")

# Translators: followup.HistoricalDisposition.end_of_dlt_period_date, followup.Disposition.end_of_dlt_period_date
gettext_noop("end of DLT period")

# Translators: followup.HistoricalDisposition.end_of_treatment_date, followup.Disposition.end_of_treatment_date
gettext_noop("end of treatment")

# Translators: followup.HistoricalDisposition.end_of_study_date, followup.Disposition.end_of_study_date
gettext_noop("end of study")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason
gettext_noop("end of study reason")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason, followup.Disposition.EndReason
gettext_noop("Completed")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason, followup.Disposition.EndReason
gettext_noop("Withdrew consent")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason, followup.Disposition.EndReason
gettext_noop("Lost to follow-up")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason, followup.Disposition.EndReason
gettext_noop("Death")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason, followup.Disposition.EndReason
gettext_noop("Investigator decision")

# Translators: followup.HistoricalDisposition.end_of_study_reason, followup.Disposition.end_of_study_reason, followup.Disposition.EndReason
gettext_noop("Sponsor decision")

# Translators: followup.HistoricalDisposition.reason_detail, followup.Disposition.reason_detail
gettext_noop("reason detail")

# Translators: followup.HistoricalDisposition.death_date, followup.Disposition.death_date
gettext_noop("death date")

# Translators: followup.HistoricalDisposition.death_cause, followup.Disposition.death_cause
gettext_noop("death cause")

# Translators: followup.HistoricalDisposition.death_related, followup.Disposition.death_related
gettext_noop("death related to study treatment")

# Translators: followup.HistoricalDisposition.last_known_alive_date, followup.Disposition.last_known_alive_date
gettext_noop("last known alive date")

# Translators: followup.Disposition
gettext_noop("dispositions")

# Translators: followup.ProtocolDeviation
gettext_noop("protocol deviation")

# Translators: followup.HistoricalProtocolDeviation.category, followup.ProtocolDeviation.category, followup.ProtocolDeviation.Category
gettext_noop("Eligibility")

# Translators: followup.HistoricalProtocolDeviation.category, followup.ProtocolDeviation.category, followup.ProtocolDeviation.Category
gettext_noop("Informed consent")

# Translators: followup.HistoricalProtocolDeviation.category, followup.ProtocolDeviation.category, followup.ProtocolDeviation.Category
gettext_noop("Dosing")

# Translators: followup.HistoricalProtocolDeviation.category, followup.ProtocolDeviation.category, followup.ProtocolDeviation.Category
gettext_noop("Visit window")

# Translators: followup.HistoricalProtocolDeviation.category, followup.ProtocolDeviation.category, followup.ProtocolDeviation.Category
gettext_noop("Procedure")

# Translators: followup.HistoricalProtocolDeviation.category, followup.ProtocolDeviation.category, followup.ProtocolDeviation.Category
gettext_noop("Safety reporting")

# Translators: followup.HistoricalProtocolDeviation.deviation_date, followup.ProtocolDeviation.deviation_date
gettext_noop("date of the deviation")

# Translators: followup.HistoricalProtocolDeviation.description, followup.ProtocolDeviation.description
gettext_noop("description")

# Translators: followup.HistoricalProtocolDeviation.severity, followup.ProtocolDeviation.severity
gettext_noop("severity")

# Translators: followup.HistoricalProtocolDeviation.severity, followup.ProtocolDeviation.severity, followup.ProtocolDeviation.Severity
gettext_noop("Major")

# Translators: followup.HistoricalProtocolDeviation.severity, followup.ProtocolDeviation.severity, followup.ProtocolDeviation.Severity
gettext_noop("Minor")

# Translators: followup.HistoricalProtocolDeviation.corrective_action, followup.ProtocolDeviation.corrective_action
gettext_noop("corrective and preventive action")

# Translators: followup.HistoricalProtocolDeviation.sponsor_reported_on, followup.ProtocolDeviation.sponsor_reported_on
gettext_noop("reported to the sponsor on")

# Translators: followup.HistoricalProtocolDeviation.ethics_reported_on, followup.ProtocolDeviation.ethics_reported_on
gettext_noop("reported to the ethics committee on")

# Translators: followup.HistoricalProtocolDeviation.rule, followup.ProtocolDeviation.rule
gettext_noop("raised by rule")

# Translators: followup.HistoricalProtocolDeviation.rule, followup.ProtocolDeviation.rule
gettext_noop("Set when the system found the deviation in the data (e.g. off_cohort_dose).")

# Translators: followup.HistoricalProtocolDeviation.source, followup.ProtocolDeviation.source
gettext_noop("found in")

# Translators: followup.HistoricalProtocolDeviation.source, followup.ProtocolDeviation.source
gettext_noop("The record that revealed it, e.g. dosing.infusion #12.")

# Translators: followup.ProtocolDeviation
gettext_noop("protocol deviations")

# Translators: monitoring.Query, monitoring.HistoricalQueryMessage.query, monitoring.QueryMessage.query
gettext_noop("query")

# Translators: monitoring.Query
gettext_noop("queries")

# Translators: monitoring.HistoricalQuery.object_id, monitoring.Query.object_id, monitoring.HistoricalSdvMark.object_id and 5 more
gettext_noop("object id")

# Translators: monitoring.HistoricalQuery.field_name, monitoring.Query.field_name
gettext_noop("field name")

# Translators: monitoring.HistoricalQuery.text, monitoring.Query.text, monitoring.HistoricalQueryMessage.text and 1 more
gettext_noop("text")

# Translators: monitoring.HistoricalQuery.status, monitoring.Query.status, monitoring.Query.Status
gettext_noop("New")

# Translators: monitoring.HistoricalQuery.status, monitoring.Query.status, monitoring.Query.Status
gettext_noop("Resolution proposed")

# Translators: monitoring.HistoricalQuery.answer, monitoring.Query.answer
gettext_noop("answer")

# Translators: monitoring.HistoricalQuery.answered_at, monitoring.Query.answered_at
gettext_noop("answered at")

# Translators: monitoring.HistoricalQuery.closed_at, monitoring.Query.closed_at
gettext_noop("closed at")

# Translators: monitoring.HistoricalQuery.content_type, monitoring.Query.content_type, monitoring.HistoricalSdvMark.content_type and 5 more
gettext_noop("content type")

# Translators: monitoring.HistoricalQuery.opened_by, monitoring.Query.opened_by
gettext_noop("opened by")

# Translators: monitoring.HistoricalQuery.answered_by, monitoring.Query.answered_by
gettext_noop("answered by")

# Translators: monitoring.HistoricalQuery.closed_by, monitoring.Query.closed_by
gettext_noop("closed by")

# Translators: monitoring.QueryMessage
gettext_noop("query message")

# Translators: monitoring.HistoricalQueryMessage.kind, monitoring.QueryMessage.kind
gettext_noop("kind")

# Translators: monitoring.HistoricalQueryMessage.kind, monitoring.QueryMessage.kind, monitoring.QueryMessage.Kind
gettext_noop("Raised")

# Translators: monitoring.HistoricalQueryMessage.kind, monitoring.QueryMessage.kind, monitoring.QueryMessage.Kind
gettext_noop("Answered")

# Translators: monitoring.HistoricalQueryMessage.kind, monitoring.QueryMessage.kind, monitoring.QueryMessage.Kind
gettext_noop("Re-opened")

# Translators: monitoring.HistoricalQueryMessage.kind, monitoring.QueryMessage.kind, monitoring.QueryMessage.Kind
gettext_noop("Data corrected")

# Translators: monitoring.HistoricalQueryMessage.at, monitoring.QueryMessage.at
gettext_noop("time")

# Translators: monitoring.HistoricalQueryMessage.author, monitoring.QueryMessage.author
gettext_noop("author")

# Translators: monitoring.QueryMessage
gettext_noop("query messages")

# Translators: monitoring.SdvPlan
gettext_noop("SDV plan")

# Translators: monitoring.HistoricalSdvPlan.level, monitoring.SdvPlan.level
gettext_noop("level")

# Translators: monitoring.HistoricalSdvPlan.level, monitoring.SdvPlan.level, monitoring.SdvPlan.Level
gettext_noop("Key fields")

# Translators: monitoring.HistoricalSdvPlan.level, monitoring.SdvPlan.level, monitoring.SdvPlan.Level
# xgettext:no-python-format
gettext_noop("100%")

# Translators: monitoring.HistoricalSdvPlan.key_fields, monitoring.SdvPlan.key_fields
gettext_noop("key fields")

# Translators: monitoring.HistoricalSdvPlan.key_fields, monitoring.SdvPlan.key_fields
gettext_noop("For key-field SDV: the field names.")

# Translators: monitoring.HistoricalSdvPlan.crf, monitoring.SdvPlan.crf
gettext_noop("CRF type")

# Translators: monitoring.SdvPlan
gettext_noop("SDV plans")

# Translators: monitoring.SdvMark
gettext_noop("SDV mark")

# Translators: monitoring.HistoricalSdvMark.verified_at, monitoring.SdvMark.verified_at
gettext_noop("verified at")

# Translators: monitoring.HistoricalSdvMark.verified_version, monitoring.SdvMark.verified_version
gettext_noop("verified version")

# Translators: monitoring.HistoricalSdvMark.fields, monitoring.SdvMark.fields
gettext_noop("fields")

# Translators: monitoring.HistoricalSdvMark.fields, monitoring.SdvMark.fields
gettext_noop("Empty: the whole CRF.")

# Translators: monitoring.HistoricalSdvMark.is_current, monitoring.SdvMark.is_current
gettext_noop("is current")

# Translators: monitoring.HistoricalSdvMark.cleared_at, monitoring.SdvMark.cleared_at
gettext_noop("cleared at")

# Translators: monitoring.HistoricalSdvMark.verified_by, monitoring.SdvMark.verified_by
gettext_noop("verified by")

# Translators: monitoring.SdvMark
gettext_noop("SDV marks")

# Translators: monitoring.Lock
gettext_noop("lock")

# Translators: monitoring.HistoricalLock.scope, monitoring.Lock.scope
gettext_noop("scope")

# Translators: monitoring.HistoricalLock.scope, monitoring.Lock.scope, monitoring.Lock.Scope
gettext_noop("One CRF")

# Translators: monitoring.HistoricalLock.scope, monitoring.Lock.scope, monitoring.Lock.Scope
gettext_noop("A subject's casebook")

# Translators: monitoring.HistoricalLock.scope, monitoring.Lock.scope, monitoring.Lock.Scope
gettext_noop("The whole study (database lock)")

# Translators: monitoring.HistoricalLock.reason, monitoring.Lock.reason
gettext_noop("reason")

# Translators: monitoring.HistoricalLock.unlocked_at, monitoring.Lock.unlocked_at
gettext_noop("unlocked at")

# Translators: monitoring.HistoricalLock.unlock_reason, monitoring.Lock.unlock_reason
gettext_noop("unlock reason")

# Translators: monitoring.HistoricalLock.locked_by, monitoring.Lock.locked_by
gettext_noop("locked by")

# Translators: monitoring.HistoricalLock.unlocked_by, monitoring.Lock.unlocked_by
gettext_noop("unlocked by")

# Translators: monitoring.Lock
gettext_noop("locks")

# Translators: monitoring.Signature
gettext_noop("signature")

# Translators: monitoring.HistoricalSignature.meaning, monitoring.Signature.meaning
gettext_noop("meaning")

# Translators: monitoring.HistoricalSignature.meaning, monitoring.Signature.meaning, monitoring.Signature.Meaning
gettext_noop("Reviewed and approved")

# Translators: monitoring.HistoricalSignature.meaning, monitoring.Signature.meaning, monitoring.Signature.Meaning
gettext_noop("Committee decision confirmed")

# Translators: monitoring.HistoricalSignature.is_valid, monitoring.Signature.is_valid
gettext_noop("is valid")

# Translators: monitoring.HistoricalSignature.invalidated_at, monitoring.Signature.invalidated_at
gettext_noop("invalidated at")

# Translators: monitoring.HistoricalSignature.invalidation_reason, monitoring.Signature.invalidation_reason
gettext_noop("invalidation reason")

# Translators: monitoring.HistoricalSignature.signer, monitoring.Signature.signer
gettext_noop("signer")

# Translators: monitoring.Signature
gettext_noop("signatures")

# Translators: monitoring.MonitoringVisit
gettext_noop("monitoring visit")

# Translators: monitoring.HistoricalMonitoringVisit.visit_date, monitoring.MonitoringVisit.visit_date
gettext_noop("date of the visit")

# Translators: monitoring.HistoricalMonitoringVisit.kind, monitoring.MonitoringVisit.kind
gettext_noop("type")

# Translators: monitoring.HistoricalMonitoringVisit.kind, monitoring.MonitoringVisit.kind, monitoring.MonitoringVisit.Kind
gettext_noop("On site")

# Translators: monitoring.HistoricalMonitoringVisit.kind, monitoring.MonitoringVisit.kind, monitoring.MonitoringVisit.Kind
gettext_noop("Remote")

# Translators: monitoring.HistoricalMonitoringVisit.reviewed, monitoring.MonitoringVisit.reviewed
gettext_noop("what was reviewed")

# Translators: monitoring.HistoricalMonitoringVisit.reviewed, monitoring.MonitoringVisit.reviewed
gettext_noop("e.g. consents of 01-S-005 to 01-S-011, SAE reports.")

# Translators: monitoring.HistoricalMonitoringVisit.findings, monitoring.MonitoringVisit.findings
gettext_noop("findings")

# Translators: monitoring.HistoricalMonitoringVisit.follow_up_actions, monitoring.MonitoringVisit.follow_up_actions
gettext_noop("follow-up actions for the site")

# Translators: monitoring.HistoricalMonitoringVisit.follow_up_due, monitoring.MonitoringVisit.follow_up_due
gettext_noop("follow-up due by")

# Translators: monitoring.HistoricalMonitoringVisit.monitor, monitoring.MonitoringVisit.monitor
gettext_noop("monitor")

# Translators: monitoring.MonitoringVisit
gettext_noop("monitoring visits")

# Translators: django.contrib.admin
gettext_noop("Model name")

# Translators: django.contrib.admin
gettext_noop("Add link")

# Translators: django.contrib.admin
gettext_noop("Change or view list link")

# Translators: simple_history: object_history_list.html
gettext_noop("Changes")

# Translators: django_otp
gettext_noop("static token")

# Translators: screening.rules.CRITERIA
gettext_noop("Age: >= 3 years old and <= 75 years old, male or female.")

# Translators: screening.rules.CRITERIA
gettext_noop("ECOG performance status 0-2.")

# Translators: screening.rules.CRITERIA
gettext_noop("Main organs well functioning: cardiac function grade 1-2 (no heart disease or coronary heart disease); TBIL <= 3 x ULN, AST <= 2.5 x ULN, ALT <= 2.5 x ULN; creatinine <= 1.25 x ULN.")

# Translators: screening.rules.CRITERIA
gettext_noop("Women of childbearing age tested negative for pregnancy within 7 days, and use of appropriate contraception during the trial and for 3 months after.")

# Translators: screening.rules.CRITERIA
gettext_noop("Written informed consent signed by the patient or the patient's immediate family members before enrollment.")
