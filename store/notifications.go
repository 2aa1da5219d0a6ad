package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// NotificationKind is what a notification tells its user.
type NotificationKind string

const (
	NotifyCaseAssigned  NotificationKind = "case_assigned"  // a case was routed to them
	NotifyMention       NotificationKind = "mention"        // someone @mentioned them in a comment
	NotifyCaseComment   NotificationKind = "case_comment"   // a comment on a case they own
	NotifySLAReminder   NotificationKind = "sla_reminder"   // half the SLA of their case is gone
	NotifySLAEscalation NotificationKind = "sla_escalation" // a case of their department is past its SLA
)

// Notification is one in-app notification of a user.
type Notification struct {
	ID        int64            `json:"id"`
	Kind      NotificationKind `json:"kind"`
	CaseID    *int64           `json:"case_id"`
	Text      string           `json:"text"`
	CreatedAt time.Time        `json:"created_at"`
	ReadAt    *time.Time       `json:"read_at"`
}

const (
	notifyUser = `INSERT INTO notifications (user_id, kind, case_id, text) VALUES ($1, $2, $3, $4)`
	// notifyEmails notifies the users with these emails, except the one who acted.
	notifyEmails = `
INSERT INTO notifications (user_id, kind, case_id, text)
SELECT u.id, $2, $3, $4 FROM users u WHERE u.email = ANY ($1) AND u.email <> $5 AND NOT u.disabled`
	listNotifications = `
SELECT id, kind, case_id, text, created_at, read_at, count(*) OVER ()
FROM notifications
WHERE user_id = @user AND (NOT @unread::boolean OR read_at IS NULL)
ORDER BY id DESC
LIMIT @limit OFFSET @offset`
	unreadNotifications  = `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`
	markNotificationRead = `
UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id`
	markAllNotificationsRead = `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`
)

// notify notifies one user (nil: nobody, a queue) inside tx.
func notify(ctx context.Context, tx pgx.Tx, userID *int64, kind NotificationKind, caseID int64, format string, args ...any) error {
	if userID == nil {
		return nil
	}
	_, err := tx.Exec(ctx, notifyUser, *userID, string(kind), caseID, fmt.Sprintf(format, args...))
	return err
}

// notifyByEmail notifies the users with these emails, except actor's own.
func notifyByEmail(ctx context.Context, tx pgx.Tx, emails []string, actor string, kind NotificationKind, caseID int64, text string) error {
	if len(emails) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, notifyEmails, emails, string(kind), caseID, text, actorEmail(actor))
	return err
}

// actorEmail is the email an actor names ("alice@x" or "alice@x (token 3)").
func actorEmail(actor string) string {
	for i, r := range actor {
		if r == ' ' {
			return actor[:i]
		}
	}
	return actor
}

// Notifications lists a user's notifications, newest first (unread only
// when asked), with how many match and how many are unread.
func (s *Store) Notifications(ctx context.Context, userID int64, unread bool, page domain.Page) (list []Notification, total, unreadCount int64, err error) {
	rows, err := s.Pool.Query(ctx, listNotifications, pgx.NamedArgs{"user": userID, "unread": unread, "limit": page.Limit, "offset": page.Offset})
	if err != nil {
		return nil, 0, 0, err
	}
	list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
		var n Notification
		err := r.Scan(&n.ID, &n.Kind, &n.CaseID, &n.Text, &n.CreatedAt, &n.ReadAt, &total)
		return n, err
	})
	if err != nil {
		return nil, 0, 0, err
	}
	err = s.Pool.QueryRow(ctx, unreadNotifications, userID).Scan(&unreadCount)
	return list, total, unreadCount, err
}

// MarkNotificationRead marks one of the user's notifications read (again: harmless);
// another user's is not found.
func (s *Store) MarkNotificationRead(ctx context.Context, userID, id int64) error {
	var got int64
	err := s.Pool.QueryRow(ctx, markNotificationRead, id, userID).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.CodeNotFound, "notification %d not found", id)
	}
	return err
}

// MarkAllNotificationsRead marks every unread notification of the user read
// and answers how many there were.
func (s *Store) MarkAllNotificationsRead(ctx context.Context, userID int64) (int64, error) {
	tag, err := s.Pool.Exec(ctx, markAllNotificationsRead, userID)
	return tag.RowsAffected(), err
}
