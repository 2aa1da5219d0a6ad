package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// Unchaseable is an account with open items that automatic reminders cannot
// reach, and why (the daily digest's second half).
type Unchaseable struct {
	CustomerID int64    `json:"customer_id"`
	Name       string   `json:"name"`
	Entity     string   `json:"entity"`
	Reasons    []string `json:"reasons"`
}

// accountsToChase are the accounts with open invoices inside the perimeter,
// with what their gates say.
const accountsToChase = `
SELECT c.id, c.name, e.id, e.code, e.sending, e.test_address = '',
       c.email = '', c.email_invalid_at IS NOT NULL,
       c.phone = '', c.phone_invalid_at IS NOT NULL,
       coalesce(c.sms_consent, e.sms_consent_default) AND c.sms_opted_out_at IS NULL,
       coalesce(c.voice_consent, e.voice_consent_default) AND c.voice_opted_out_at IS NULL
FROM customers c JOIN entities e ON e.id = c.entity_id
WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id AND i.type = 'invoice' AND i.status = 'open' AND i.open_minor > 0)
  AND ` + perimeterClause + `
ORDER BY e.code, c.name, c.id
LIMIT @limit`

// AccountsToChase lists up to limit accounts with open invoices in the
// perimeter (ids, for the digest's calendar) and those of them that cannot
// be chased, with the reasons.
func (s *Store) AccountsToChase(ctx context.Context, per Perimeter, limit int, now time.Time) (ids []int64, blocked []Unchaseable, err error) {
	rows, err := s.Pool.Query(ctx, accountsToChase, per.args(pgx.NamedArgs{"limit": limit}))
	if err != nil {
		return nil, nil, err
	}
	type row struct {
		u                                 Unchaseable
		entityID                          int64
		sending                           Sending
		noTestAddr, noEmail, emailBad     bool
		noPhone, phoneBad, smsOK, voiceOK bool
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.u.CustomerID, &r.u.Name, &r.entityID, &r.u.Entity, &r.sending, &r.noTestAddr,
			&r.noEmail, &r.emailBad, &r.noPhone, &r.phoneBad, &r.smsOK, &r.voiceOK); err != nil {
			rows.Close()
			return nil, nil, err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	stale := map[int64]string{}
	for _, r := range all {
		ids = append(ids, r.u.CustomerID)
		why, seen := stale[r.entityID]
		if !seen {
			if why, err = s.StaleData(ctx, r.entityID, now); err != nil {
				return nil, nil, err
			}
			stale[r.entityID] = why
		}
		u := r.u
		switch {
		case r.sending == SendingOff:
			u.Reasons = append(u.Reasons, "sending is off for entity "+u.Entity)
		case r.sending == SendingTest && r.noTestAddr:
			u.Reasons = append(u.Reasons, "entity "+u.Entity+" is in test mode without a test address")
		case r.sending == SendingTest:
			u.Reasons = append(u.Reasons, "entity "+u.Entity+" is in test mode: messages go to its test address")
		}
		if why != "" {
			u.Reasons = append(u.Reasons, why)
		}
		emailOK := !r.noEmail && !r.emailBad
		phoneOK := !r.noPhone && !r.phoneBad && (r.smsOK || r.voiceOK)
		if !emailOK && !phoneOK {
			u.Reasons = append(u.Reasons, "no usable contact: "+contactWhy(r.noEmail, r.emailBad, r.noPhone, r.phoneBad))
		}
		if len(u.Reasons) > 0 {
			blocked = append(blocked, u)
		}
	}
	return ids, blocked, nil
}

func contactWhy(noEmail, emailBad, noPhone, phoneBad bool) string {
	email := "no email"
	if !noEmail && emailBad {
		email = "email marked invalid"
	}
	phone := "no consent to texts or calls"
	switch {
	case noPhone:
		phone = "no phone"
	case phoneBad:
		phone = "phone marked invalid"
	}
	return email + ", " + phone
}

const (
	digestRecipients = `
SELECT ` + principalColumns + `
FROM users u` + principalEntities + `
WHERE u.digest AND NOT u.disabled AND u.role IN ('admin', 'credit_manager')
GROUP BY u.id
ORDER BY u.id`
	setDigest   = `UPDATE users SET digest = $2, updated_at = now() WHERE id = $1`
	userDigest  = `SELECT digest FROM users WHERE id = $1`
	claimDigest = `
WITH ins AS (INSERT INTO digests_sent (user_id, day, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING sent_at)
SELECT sent_at IS NOT NULL FROM ins
UNION ALL SELECT sent_at IS NOT NULL FROM digests_sent WHERE user_id = $1 AND day = $2 AND kind = $3
LIMIT 1`
	finishDigest = `UPDATE digests_sent SET sent_at = now() WHERE user_id = $1 AND day = $2 AND kind = $3`
	// notificationDigestRecipients: those who opted in and have something unread.
	notificationDigestRecipients = `
SELECT ` + principalColumns + `
FROM users u` + principalEntities + `
WHERE u.notification_digest AND NOT u.disabled
  AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL)
GROUP BY u.id
ORDER BY u.id`
	setNotificationDigest  = `UPDATE users SET notification_digest = $2, updated_at = now() WHERE id = $1`
	userNotificationDigest = `SELECT notification_digest FROM users WHERE id = $1`
)

// DigestKind tells the digests a user may get apart.
type DigestKind string

const (
	DigestDaily         DigestKind = "daily"         // the credit managers' look at tomorrow
	DigestNotifications DigestKind = "notifications" // one's unread notifications
)

// DigestRecipients are the enabled credit managers and admins who opted in
// to the daily digest email, as principals (their perimeter is the digest's).
func (s *Store) DigestRecipients(ctx context.Context) ([]domain.Principal, error) {
	return s.principals(ctx, digestRecipients)
}

// principals reads the users q selects (principalColumns) as principals.
func (s *Store) principals(ctx context.Context, q string) ([]domain.Principal, error) {
	rows, err := s.Pool.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Principal, error) { return scanPrincipal(r) })
}

// UserDigest says whether a user opted in to the daily digest email.
func (s *Store) UserDigest(ctx context.Context, userID int64) (bool, error) {
	return s.userFlag(ctx, userDigest, userID)
}

// userFlag reads one of a user's boolean settings with q.
func (s *Store) userFlag(ctx context.Context, q string, userID int64) (bool, error) {
	var on bool
	err := s.Pool.QueryRow(ctx, q, userID).Scan(&on)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, domain.Errorf(domain.CodeNotFound, "user %d not found", userID)
	}
	return on, err
}

// setUserFlag sets one of a user's boolean settings with q, journaled
// "user.<name>" with its new value.
func (s *Store) setUserFlag(ctx context.Context, q, name string, userID int64, on bool, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q, userID, on)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "user %d not found", userID)
		}
		after, _ := json.Marshal(map[string]bool{name: on})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "user." + name, Target: fmt.Sprintf("user/%d", userID), After: after})
	})
}

// SetDigest records a user's choice of the daily digest email, journaled.
func (s *Store) SetDigest(ctx context.Context, userID int64, on bool, actor string) error {
	return s.setUserFlag(ctx, setDigest, "digest", userID, on, actor)
}

// ClaimDigest records that userID's digest of day is about to be sent and
// says whether it already was. A claim left unsent (a crash between claim and
// send) is sent again: a digest twice beats none.
func (s *Store) ClaimDigest(ctx context.Context, userID int64, day time.Time, kind DigestKind) (alreadySent bool, err error) {
	err = s.Pool.QueryRow(ctx, claimDigest, userID, day, string(kind)).Scan(&alreadySent)
	return alreadySent, err
}

// FinishDigest records that userID's digest of day went out.
func (s *Store) FinishDigest(ctx context.Context, userID int64, day time.Time, kind DigestKind) error {
	_, err := s.Pool.Exec(ctx, finishDigest, userID, day, string(kind))
	return err
}

// NotificationDigestRecipients are the enabled users who opted in to the
// email of their unread notifications and have some.
func (s *Store) NotificationDigestRecipients(ctx context.Context) ([]domain.Principal, error) {
	return s.principals(ctx, notificationDigestRecipients)
}

// UserNotificationDigest says whether a user opted in to the email of their unread notifications.
func (s *Store) UserNotificationDigest(ctx context.Context, userID int64) (bool, error) {
	return s.userFlag(ctx, userNotificationDigest, userID)
}

// SetNotificationDigest records a user's choice of the email of their unread notifications, journaled.
func (s *Store) SetNotificationDigest(ctx context.Context, userID int64, on bool, actor string) error {
	return s.setUserFlag(ctx, setNotificationDigest, "notification_digest", userID, on, actor)
}
