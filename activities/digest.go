package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"recoup/domain"
	"recoup/dunning"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
)

// Digests mails each opted-in credit manager their daily digest.
type Digests struct {
	Store  *store.Store
	Mailer *notify.Mailer // nil: no email, the digests are skipped
	// Build computes one user's digest over their perimeter
	// (app.App.DigestEmail: the rules GET /api/v1/digest answers with).
	Build func(ctx context.Context, who domain.Principal) (templates.DigestData, error)
	// Notifications lists one user's unread notifications in their language
	// (app.App.NotificationDigestEmail); nil: no notification digests.
	Notifications func(ctx context.Context, who domain.Principal) (templates.NotificationDigestData, error)
	// Warm builds the day's collection figures before anyone opens a
	// dashboard (app.App.WarmFigures); nil: nothing is built ahead.
	Warm func(ctx context.Context, day dunning.Date, beat func()) error
	// Risk evaluates the risk signals still waiting (app.App.EvaluateRiskSignals):
	// the daily catch-up of a process that stopped between ingestion and
	// evaluation; nil: none.
	Risk func(ctx context.Context) (int, error)
}

// DigestResult counts what one day's run did.
type DigestResult struct {
	Sent    int `json:"sent"`
	Already int `json:"already"` // sent by an earlier attempt of the same day
	// Notifications counts the emails of unread notifications sent.
	Notifications int `json:"notifications"`
}

// SendDigests sends day's digest (day: YYYY-MM-DD, the workflow's date) to
// every opted-in user, once per user and day (digests_sent): a retry or a
// replayed run skips those already sent.
func (d *Digests) SendDigests(ctx context.Context, day string) (DigestResult, error) {
	var res DigestResult
	date, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return res, fmt.Errorf("digest day %q: %w", day, err)
	}
	if d.Warm != nil {
		// Slow figures are not worth a missed digest: logged, never fatal.
		if err := d.Warm(ctx, dunning.DateOf(date), func() { activity.RecordHeartbeat(ctx, "figures") }); err != nil {
			activity.GetLogger(ctx).Warn("figures warm-up failed", "day", day, "err", err)
		}
	}
	if d.Risk != nil {
		// Like the figures: logged, never worth a missed digest.
		if n, err := d.Risk(ctx); err != nil {
			activity.GetLogger(ctx).Warn("risk signals catch-up failed", "day", day, "err", err)
		} else if n > 0 {
			activity.GetLogger(ctx).Info("risk signals caught up", "day", day, "signals", n)
		}
	}
	if d.Mailer == nil {
		return res, nil
	}
	users, err := d.Store.DigestRecipients(ctx)
	if err != nil {
		return res, err
	}
	err = d.sendEach(ctx, users, digestRun{kind: store.DigestDaily, label: "digest", idPrefix: "digest/", day: day, date: date},
		func(u domain.Principal) (string, string, error) {
			data, err := d.Build(ctx, u)
			if err != nil {
				return "", "", err
			}
			return templates.RenderDigest(u.Language, data)
		}, &res, &res.Sent)
	if err != nil {
		return res, err
	}
	return res, d.sendNotificationDigests(ctx, day, date, &res)
}

// digestRun is one kind of digest on one day.
type digestRun struct {
	kind     store.DigestKind
	label    string // in errors
	idPrefix string // of the emails' Message-ID: <prefix><user id>/<day>
	day      string
	date     time.Time
}

// sendEach mails each user their digest of run, rendered by render, once
// per user, kind and day (digests_sent): a retry or a replayed run skips
// those already sent. sent counts the emails sent.
func (d *Digests) sendEach(ctx context.Context, users []domain.Principal, run digestRun,
	render func(domain.Principal) (subject, text string, err error), res *DigestResult, sent *int) error {
	for _, u := range users {
		activity.RecordHeartbeat(ctx, *res)
		already, err := d.Store.ClaimDigest(ctx, u.UserID, run.date, run.kind)
		if err != nil {
			return err
		}
		if already {
			res.Already++
			continue
		}
		subject, text, err := render(u)
		if err != nil {
			return fmt.Errorf("%s of user %d: %w", run.label, u.UserID, err)
		}
		err = d.Mailer.Send(ctx, notify.Email{To: []string{u.Email}, Subject: subject, Text: text,
			Language: u.Language, MessageID: notify.MessageID(fmt.Sprintf("%s%d/%s", run.idPrefix, u.UserID, run.day))})
		if err != nil {
			return fmt.Errorf("%s to %s: %w", run.label, u.Email, err)
		}
		if err := d.Store.FinishDigest(ctx, u.UserID, run.date, run.kind); err != nil {
			return err
		}
		*sent++
	}
	return nil
}

// sendNotificationDigests mails each opted-in user with unread notifications
// the list of them, once per user and day, as the daily digest goes.
func (d *Digests) sendNotificationDigests(ctx context.Context, day string, date time.Time, res *DigestResult) error {
	if d.Notifications == nil {
		return nil
	}
	users, err := d.Store.NotificationDigestRecipients(ctx)
	if err != nil {
		return err
	}
	run := digestRun{kind: store.DigestNotifications, label: "notification digest", idPrefix: "digest/notifications/", day: day, date: date}
	return d.sendEach(ctx, users, run, func(u domain.Principal) (string, string, error) {
		data, err := d.Notifications(ctx, u)
		if err != nil {
			return "", "", err
		}
		return templates.RenderNotificationDigest(u.Language, data)
	}, res, &res.Notifications)
}
