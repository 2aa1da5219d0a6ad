package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"recoup/domain"
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
	if d.Mailer == nil {
		return res, nil
	}
	users, err := d.Store.DigestRecipients(ctx)
	if err != nil {
		return res, err
	}
	for _, u := range users {
		activity.RecordHeartbeat(ctx, res)
		sent, err := d.Store.ClaimDigest(ctx, u.UserID, date, store.DigestDaily)
		if err != nil {
			return res, err
		}
		if sent {
			res.Already++
			continue
		}
		data, err := d.Build(ctx, u)
		if err != nil {
			return res, fmt.Errorf("digest of user %d: %w", u.UserID, err)
		}
		subject, text, err := templates.RenderDigest(u.Language, data)
		if err != nil {
			return res, err
		}
		err = d.Mailer.Send(ctx, notify.Email{To: []string{u.Email}, Subject: subject, Text: text,
			Language: u.Language, MessageID: notify.MessageID(fmt.Sprintf("digest/%d/%s", u.UserID, day))})
		if err != nil {
			return res, fmt.Errorf("digest to %s: %w", u.Email, err)
		}
		if err := d.Store.FinishDigest(ctx, u.UserID, date, store.DigestDaily); err != nil {
			return res, err
		}
		res.Sent++
	}
	return res, d.sendNotificationDigests(ctx, day, date, &res)
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
	for _, u := range users {
		activity.RecordHeartbeat(ctx, *res)
		sent, err := d.Store.ClaimDigest(ctx, u.UserID, date, store.DigestNotifications)
		if err != nil {
			return err
		}
		if sent {
			res.Already++
			continue
		}
		data, err := d.Notifications(ctx, u)
		if err != nil {
			return fmt.Errorf("notification digest of user %d: %w", u.UserID, err)
		}
		subject, text, err := templates.RenderNotificationDigest(u.Language, data)
		if err != nil {
			return err
		}
		err = d.Mailer.Send(ctx, notify.Email{To: []string{u.Email}, Subject: subject, Text: text,
			Language: u.Language, MessageID: notify.MessageID(fmt.Sprintf("digest/notifications/%d/%s", u.UserID, day))})
		if err != nil {
			return fmt.Errorf("notification digest to %s: %w", u.Email, err)
		}
		if err := d.Store.FinishDigest(ctx, u.UserID, date, store.DigestNotifications); err != nil {
			return err
		}
		res.Notifications++
	}
	return nil
}
