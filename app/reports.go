package app

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/export"
	"recoup/flow"
	"recoup/money"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// Weekly reports by email: a credit manager saves a report (filters,
// recipients, language, weekday and hour); its Temporal Schedule
// (report/<id>) starts a WeeklyReport workflow each week, whose activity
// builds the email with ReportEmail and sends it once per report and week.
// The figures are computed inside the perimeter of the report's creator,
// whoever edits it later, so a report never shows more than its creator may
// see.

// ReportInput is a report as a person fills it in; nil numbers are missing.
type ReportInput struct {
	Name       string
	Entity     string
	GroupBy    string
	Currency   string
	Recipients []string
	Language   string
	Weekday    *int
	Hour       *int
	Active     *bool // nil: active
}

// maxReportRecipients bounds a report's list of recipients.
const maxReportRecipients = 50

// reportSpec validates in, each problem a field error.
func (a *App) reportSpec(ctx context.Context, who domain.Principal, in ReportInput) (store.ReportSpec, error) {
	sp := store.ReportSpec{Name: strings.TrimSpace(in.Name), Entity: strings.TrimSpace(in.Entity), GroupBy: in.GroupBy,
		Currency: strings.ToUpper(strings.TrimSpace(in.Currency)), Language: in.Language, Active: in.Active == nil || *in.Active}
	var errs []error
	switch {
	case sp.Name == "":
		errs = append(errs, domain.FieldError("name", "required"))
	case len([]rune(sp.Name)) > 200:
		errs = append(errs, domain.FieldError("name", "at most 200 characters"))
	}
	if sp.Entity != "" {
		if _, err := a.store.EntitySettings(ctx, sp.Entity); domain.ErrorCode(err) == domain.CodeNotFound {
			errs = append(errs, domain.FieldError("entity", "no entity %q", sp.Entity))
		} else if err != nil {
			return sp, err
		}
	}
	if sp.GroupBy == "" {
		sp.GroupBy = string(store.GroupEntity)
	}
	errs = append(errs, oneOf("group_by", store.KPIGroup(sp.GroupBy), store.KPIGroups))
	// The currency is stored explicitly: the worker that sends the report
	// may not share this process's RECOUP_REPORTING_CURRENCY.
	if sp.Currency == "" {
		sp.Currency = a.desk.ReportingCurrency.Code()
	} else if c, err := money.ParseCurrency(sp.Currency); err != nil {
		errs = append(errs, domain.FieldError("currency", "%v", err))
	} else {
		sp.Currency = c.Code()
	}
	if sp.Language == "" {
		sp.Language = who.Language
	}
	if !slices.Contains(templates.ReportLanguages, sp.Language) {
		if in.Language != "" {
			errs = append(errs, domain.FieldError("language", "%q: want one of %v", in.Language, templates.ReportLanguages))
		}
		sp.Language = templates.FallbackLanguage
	}
	switch n := len(in.Recipients); {
	case n == 0:
		errs = append(errs, domain.FieldError("recipients", "at least one email address"))
	case n > maxReportRecipients:
		errs = append(errs, domain.FieldError("recipients", "at most %d addresses", maxReportRecipients))
	}
	for i, r := range in.Recipients {
		addr, err := mail.ParseAddress(strings.TrimSpace(r))
		if err != nil {
			errs = append(errs, domain.FieldError(fmt.Sprintf("recipients[%d]", i), "%q is not an email address", r))
			continue
		}
		if !slices.Contains(sp.Recipients, addr.Address) {
			sp.Recipients = append(sp.Recipients, addr.Address)
		}
	}
	switch {
	case in.Weekday == nil:
		errs = append(errs, domain.FieldError("weekday", "required: 0 (Sunday) to 6 (Saturday)"))
	case *in.Weekday < 0 || *in.Weekday > 6:
		errs = append(errs, domain.FieldError("weekday", "%d: want 0 (Sunday) to 6 (Saturday)", *in.Weekday))
	default:
		sp.Weekday = *in.Weekday
	}
	switch {
	case in.Hour == nil:
		errs = append(errs, domain.FieldError("hour", "required: 0 to 23 (UTC)"))
	case *in.Hour < 0 || *in.Hour > 23:
		errs = append(errs, domain.FieldError("hour", "%d: want 0 to 23 (UTC)", *in.Hour))
	default:
		sp.Hour = *in.Hour
	}
	return sp, domain.Invalid(errs...)
}

// Reports lists the weekly reports (every report: they are the credit
// managers' shared set-up; each one's figures stay inside its creator's
// perimeter).
func (a *App) Reports(ctx context.Context, who domain.Principal) ([]store.Report, error) {
	if err := allow(who, auth.ReportsManage); err != nil {
		return nil, err
	}
	return a.store.Reports(ctx)
}

// Report reads one report.
func (a *App) Report(ctx context.Context, who domain.Principal, id int64) (store.Report, error) {
	if err := allow(who, auth.ReportsManage); err != nil {
		return store.Report{}, err
	}
	return a.store.Report(ctx, id)
}

// SavedReport is a report saved, and whether its schedule is in Temporal
// yet: ScheduleError says why not ("" it is); the catch-up makes it later.
type SavedReport struct {
	store.Report
	ScheduleError string
}

// SaveReport creates (id 0) or replaces report id, journaled, and creates or
// updates its Temporal Schedule. The change owes Temporal the schedule in
// its transaction (outbox kind report.schedule), so a schedule Temporal
// could not take now is made by the catch-up when it is back.
func (a *App) SaveReport(ctx context.Context, who domain.Principal, id int64, in ReportInput) (SavedReport, error) {
	if err := allow(who, auth.ReportsManage); err != nil {
		return SavedReport{}, err
	}
	sp, err := a.reportSpec(ctx, who, in)
	if err != nil {
		return SavedReport{}, err
	}
	var rp store.Report
	if id == 0 {
		rp, err = a.store.CreateReport(ctx, sp, who.UserID, who.Actor())
	} else {
		rp, err = a.store.UpdateReport(ctx, id, sp, who.Actor())
	}
	if err != nil {
		return SavedReport{}, err
	}
	return SavedReport{Report: rp, ScheduleError: a.scheduleNow(ctx, rp.ID, rp.Version)}, nil
}

// DeleteReport deletes report id, journaled, and its schedule (or owes
// Temporal its deletion); it answers why the schedule is not deleted yet.
func (a *App) DeleteReport(ctx context.Context, who domain.Principal, id int64) (string, error) {
	if err := allow(who, auth.ReportsManage); err != nil {
		return "", err
	}
	old, err := a.store.DeleteReport(ctx, id, who.Actor())
	if err != nil {
		return "", err
	}
	return a.scheduleNow(ctx, id, old.Version+1), nil
}

// scheduleNow syncs report id's schedule right after the change of round
// round and says why it could not ("": done).
func (a *App) scheduleNow(ctx context.Context, id int64, round int) string {
	if err := a.syncReportSchedule(ctx, id, round); err != nil {
		a.log.WarnContext(ctx, "sync a report's schedule", "report", id, "err", err)
		return "the schedule is not in Temporal yet (" + err.Error() + "); it is made when Temporal is back"
	}
	return ""
}

// syncReportSchedule makes report id's schedule match the report as it is
// now (deleted: no schedule), then marks round paid. Run for any owed
// round, it does the same: the report's current state decides.
func (a *App) syncReportSchedule(ctx context.Context, id int64, round int) error {
	if a.flow == nil {
		return flow.ErrUnavailable
	}
	var when *flow.ReportWhen
	rp, err := a.store.Report(ctx, id)
	switch {
	case err == nil:
		when = &flow.ReportWhen{Weekday: rp.Weekday, Hour: rp.Hour, Active: rp.Active}
	case domain.ErrorCode(err) != domain.CodeNotFound:
		return err
	}
	if err := a.flow.SyncReportSchedule(ctx, id, when); err != nil {
		return err
	}
	return a.store.PaidTemporal(ctx, store.OutboxReportSchedule, id, round)
}

// RunReport sends report id now, outside its schedule (and even when it is
// not active): it starts a WeeklyReport run under a period of its own, so
// the week's scheduled email still goes out. Journaled "report.send"; it
// answers the run's workflow ID.
func (a *App) RunReport(ctx context.Context, who domain.Principal, id int64) (string, error) {
	if err := allow(who, auth.ReportsManage); err != nil {
		return "", err
	}
	if _, err := a.store.Report(ctx, id); err != nil {
		return "", err
	}
	if a.flow == nil {
		return "", flow.ErrUnavailable
	}
	period := "now-" + time.Now().UTC().Format("20060102T150405.000Z")
	wid, err := a.flow.SendReportNow(ctx, id, period)
	if err != nil {
		return "", err
	}
	return wid, a.store.JournalReport(ctx, id, "report.send", who.Actor(), period)
}

// ReportTables are the report's figures as the sheets of its attachment:
// aging, top overdue, disputes (and their amounts), DSO.
func ReportTables(r ReportFigures) []export.Table {
	return []export.Table{AgingTable(r.Aging), TopOverdueTable(r.Top), DisputesTable(r.Disputes), DisputedAmountsTable(r.Disputes), DSOTable(r.DSO)}
}

// ReportFigures are the figures of one report as of a date.
type ReportFigures struct {
	Aging    Aging
	Top      TopOverdue
	Disputes Disputes
	DSO      DSO
}

// reportFigures computes rp's figures as of asOf inside who's perimeter,
// with the endpoints' rules (the DSO and the disputes over the 90 days to asOf).
func (a *App) reportFigures(ctx context.Context, who domain.Principal, rp store.Report, asOf dunning.Date) (ReportFigures, error) {
	var f ReportFigures
	on := asOf.String()
	var err error
	if f.Aging, err = a.Aging(ctx, who, KPIQuery{AsOf: on, Entity: rp.Entity, GroupBy: rp.GroupBy, Currency: rp.Currency}); err != nil {
		return f, err
	}
	if f.Top, err = a.TopOverdue(ctx, who, KPIQuery{AsOf: on, Entity: rp.Entity, Currency: rp.Currency}); err != nil {
		return f, err
	}
	if f.Disputes, err = a.DisputeFigures(ctx, who, KPIQuery{AsOf: on, Entity: rp.Entity}); err != nil {
		return f, err
	}
	f.DSO, err = a.DSO(ctx, who, KPIQuery{AsOf: on, Entity: rp.Entity, Currency: rp.Currency})
	return f, err
}

// ReportEmail builds report id's email as of asOf: the text and HTML in the
// report's language and the XLSX attached, computed inside the perimeter of
// its creator (a disabled creator: not found, nothing is sent). link is the
// app's URL in the email ("" none).
func (a *App) ReportEmail(ctx context.Context, rp store.Report, asOf dunning.Date, link string) (notify.Email, error) {
	who, err := a.store.ReportCreator(ctx, rp.CreatedBy)
	if err != nil {
		return notify.Email{}, fmt.Errorf("report %d: its creator: %w", rp.ID, err)
	}
	f, err := a.reportFigures(ctx, who, rp, asOf)
	if err != nil {
		return notify.Email{}, fmt.Errorf("report %d: %w", rp.ID, err)
	}
	data, err := reportData(rp, f, link)
	if err != nil {
		return notify.Email{}, err
	}
	subject, text, html, err := templates.RenderReport(rp.Language, data)
	if err != nil {
		return notify.Email{}, err
	}
	var file bytes.Buffer
	if err := export.Write(&file, export.XLSX, ReportTables(f)...); err != nil {
		return notify.Email{}, err
	}
	return notify.Email{To: rp.Recipients, Subject: subject, Text: text, HTML: html, Language: rp.Language,
		Attachments: []notify.Attachment{{Filename: fmt.Sprintf("report-%d-%s.xlsx", rp.ID, asOf), ContentType: export.XLSX.ContentType(),
			Data: file.Bytes()}}}, nil
}

// reportData is the figures as the email's templates read them.
func reportData(rp store.Report, f ReportFigures, link string) (templates.ReportData, error) {
	lang := rp.Language
	var err error
	format := func(m money.Money) string {
		s, e := templates.FormatMoney(lang, m)
		if e != nil && err == nil {
			err = e
		}
		return s
	}
	tot := f.Aging.Total.Reporting
	d := templates.ReportData{Name: rp.Name, AsOf: f.Aging.AsOf.String(), Entity: rp.Entity, Currency: f.Aging.Reporting.Code(),
		Credits: format(tot.Credits), Total: format(tot.Total), Over60Share: Hundredths(f.DSO.Over60Share),
		DSO: Hundredths(f.DSO.Standard), Link: link}
	overdue := money.Money{Currency: f.Aging.Reporting}
	for i, b := range tot.Buckets {
		d.Buckets[i] = format(b)
		if i > 0 {
			overdue.Minor += b.Minor
		}
	}
	d.Overdue = format(overdue)
	for _, m := range f.Aging.MissingRates {
		d.Missing = append(d.Missing, m.From.Code())
	}
	for i, c := range f.Top.Customers {
		d.Top = append(d.Top, templates.ReportTop{Rank: i + 1, Name: c.Name, Entity: c.Entity, Overdue: format(c.Overdue),
			Reporting: format(c.OverdueReporting), Days: c.DaysOverdue})
	}
	all := f.Disputes.All
	d.Disputes = templates.ReportDisputes{From: f.Disputes.From.String(), To: f.Disputes.To.String(), Opened: all.Opened,
		Decided: all.Decided, Breached: all.Breached, AvgDays: ResolutionDays(all.AvgResolution, all.Decided > 0),
		P90Days: ResolutionDays(all.P90Resolution, all.Decided > 0)}
	for _, r := range f.Disputes.ByReason {
		d.Disputes.Reasons = append(d.Disputes.Reasons, templates.ReportReason{Reason: r.Reason, Department: r.Department,
			Opened: r.Opened, Decided: r.Decided, AvgDays: ResolutionDays(r.AvgResolution, r.Decided > 0)})
	}
	return d, err
}
