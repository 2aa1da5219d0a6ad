package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// ReportSpec is what a person sets on a weekly report.
type ReportSpec struct {
	Name       string   `json:"name"`
	Entity     string   `json:"entity"`   // an entity code; "": all of the creator's perimeter
	GroupBy    string   `json:"group_by"` // the aged balance's grouping
	Currency   string   `json:"currency"` // the reporting currency; "": the deployment's
	Recipients []string `json:"recipients"`
	Language   string   `json:"language"`
	Weekday    int      `json:"weekday"` // 0 Sunday … 6 Saturday
	Hour       int      `json:"hour"`    // UTC
	Active     bool     `json:"active"`
}

// Report is a saved weekly report.
type Report struct {
	ID int64
	ReportSpec
	CreatedBy      int64
	CreatedByEmail string
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ReportTarget names a report in the journal.
func ReportTarget(id int64) string { return "report/" + strconv.FormatInt(id, 10) }

const reportColumns = `r.id, r.name, r.entity, r.group_by, r.currency, r.recipients, r.language, r.weekday, r.hour, r.active,
       r.created_by, u.email, r.version, r.created_at, r.updated_at`

const (
	listReports = `SELECT ` + reportColumns + ` FROM reports r JOIN users u ON u.id = r.created_by ORDER BY r.name, r.id`
	getReport   = `SELECT ` + reportColumns + ` FROM reports r JOIN users u ON u.id = r.created_by WHERE r.id = $1`
	// getReportForUpdate locks the report for the change in the same transaction.
	getReportForUpdate = `SELECT ` + reportColumns + ` FROM reports r JOIN users u ON u.id = r.created_by WHERE r.id = $1 FOR UPDATE OF r`
	insertReport       = `
INSERT INTO reports (name, entity, group_by, currency, recipients, language, weekday, hour, active, created_by)
VALUES (@name, @entity, @group_by, @currency, @recipients, @language, @weekday, @hour, @active, @created_by)
RETURNING id`
	updateReport = `
UPDATE reports SET name = @name, entity = @entity, group_by = @group_by, currency = @currency, recipients = @recipients,
       language = @language, weekday = @weekday, hour = @hour, active = @active, version = version + 1, updated_at = now()
WHERE id = @id`
	deleteReport = `DELETE FROM reports WHERE id = $1`
	claimReport  = `
WITH ins AS (INSERT INTO reports_sent (report_id, period) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING sent_at)
SELECT sent_at IS NOT NULL FROM ins
UNION ALL SELECT sent_at IS NOT NULL FROM reports_sent WHERE report_id = $1 AND period = $2
LIMIT 1`
	finishReport = `UPDATE reports_sent SET sent_at = now() WHERE report_id = $1 AND period = $2`
)

func scanReport(r pgx.Row) (Report, error) {
	var rp Report
	var weekday, hour int16
	err := r.Scan(&rp.ID, &rp.Name, &rp.Entity, &rp.GroupBy, &rp.Currency, &rp.Recipients, &rp.Language, &weekday, &hour,
		&rp.Active, &rp.CreatedBy, &rp.CreatedByEmail, &rp.Version, &rp.CreatedAt, &rp.UpdatedAt)
	rp.Weekday, rp.Hour = int(weekday), int(hour)
	return rp, err
}

func reportNotFound(id int64) error {
	return domain.Errorf(domain.CodeNotFound, "report %d not found", id)
}

// Reports lists every weekly report, by name.
func (s *Store) Reports(ctx context.Context) ([]Report, error) {
	rows, err := s.Pool.Query(ctx, listReports)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Report, error) { return scanReport(r) })
}

// Report reads one report.
func (s *Store) Report(ctx context.Context, id int64) (Report, error) {
	rp, err := scanReport(s.Pool.QueryRow(ctx, getReport, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return rp, reportNotFound(id)
	}
	return rp, err
}

func reportArgs(sp ReportSpec) pgx.NamedArgs {
	return pgx.NamedArgs{"name": sp.Name, "entity": sp.Entity, "group_by": sp.GroupBy, "currency": sp.Currency,
		"recipients": sp.Recipients, "language": sp.Language, "weekday": sp.Weekday, "hour": sp.Hour, "active": sp.Active}
}

// CreateReport saves a new report created by userID, journaled
// "report.create", and owes Temporal its schedule in the same transaction.
func (s *Store) CreateReport(ctx context.Context, sp ReportSpec, userID int64, actor string) (Report, error) {
	var rp Report
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		args := reportArgs(sp)
		args["created_by"] = userID
		var id int64
		if err := tx.QueryRow(ctx, insertReport, args).Scan(&id); err != nil {
			return err
		}
		var err error
		if rp, err = scanReport(tx.QueryRow(ctx, getReport, id)); err != nil {
			return err
		}
		after, _ := json.Marshal(sp)
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "report.create", Target: ReportTarget(id), After: after}); err != nil {
			return err
		}
		return owe(ctx, tx, OutboxReportSchedule, id, rp.Version)
	})
	return rp, err
}

// UpdateReport replaces report id's settings (its creator stays), journaled
// "report.update" with before and after, and owes Temporal the new schedule.
func (s *Store) UpdateReport(ctx context.Context, id int64, sp ReportSpec, actor string) (Report, error) {
	var rp Report
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		old, err := scanReport(tx.QueryRow(ctx, getReportForUpdate, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return reportNotFound(id)
		}
		if err != nil {
			return err
		}
		args := reportArgs(sp)
		args["id"] = id
		if _, err := tx.Exec(ctx, updateReport, args); err != nil {
			return err
		}
		if rp, err = scanReport(tx.QueryRow(ctx, getReport, id)); err != nil {
			return err
		}
		before, _ := json.Marshal(old.ReportSpec)
		after, _ := json.Marshal(sp)
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "report.update", Target: ReportTarget(id), Before: before, After: after}); err != nil {
			return err
		}
		return owe(ctx, tx, OutboxReportSchedule, id, rp.Version)
	})
	return rp, err
}

// DeleteReport deletes report id, journaled "report.delete", and owes
// Temporal the deletion of its schedule (the round after its last version).
func (s *Store) DeleteReport(ctx context.Context, id int64, actor string) (Report, error) {
	var old Report
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		old, err = scanReport(tx.QueryRow(ctx, getReportForUpdate, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return reportNotFound(id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteReport, id); err != nil {
			return err
		}
		before, _ := json.Marshal(old.ReportSpec)
		if err := Journal(ctx, tx, Entry{Actor: actor, Action: "report.delete", Target: ReportTarget(id), Before: before}); err != nil {
			return err
		}
		return owe(ctx, tx, OutboxReportSchedule, id, old.Version+1)
	})
	return old, err
}

// ClaimReport records that report id's email for period is about to be sent
// and says whether it already was. A claim left unsent (a crash between
// claim and send) is sent again: a report twice beats none.
func (s *Store) ClaimReport(ctx context.Context, id int64, period string) (alreadySent bool, err error) {
	err = s.Pool.QueryRow(ctx, claimReport, id, period).Scan(&alreadySent)
	return alreadySent, err
}

// FinishReport records that report id's email for period went out.
func (s *Store) FinishReport(ctx context.Context, id int64, period string) error {
	_, err := s.Pool.Exec(ctx, finishReport, id, period)
	return err
}

// reportCreator reads a user, enabled, as a principal: a report is computed
// inside its creator's perimeter.
const reportCreator = `
SELECT ` + principalColumns + `
FROM users u` + principalEntities + `
WHERE u.id = $1 AND NOT u.disabled
GROUP BY u.id`

// ReportCreator is the enabled user userID as a principal; a disabled or
// deleted user is not found.
func (s *Store) ReportCreator(ctx context.Context, userID int64) (domain.Principal, error) {
	p, err := scanPrincipal(s.Pool.QueryRow(ctx, reportCreator, userID))
	if errors.Is(err, ErrNoCredential) {
		return p, domain.Errorf(domain.CodeNotFound, "user %d is disabled or gone", userID)
	}
	return p, err
}

// JournalReport journals an action on report id that changes no row of it
// (a send now), with what it concerned (the period sent).
func (s *Store) JournalReport(ctx context.Context, id int64, action, actor, period string) error {
	after, _ := json.Marshal(map[string]string{"period": period})
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return Journal(ctx, tx, Entry{Actor: actor, Action: action, Target: ReportTarget(id), After: after})
	})
}
