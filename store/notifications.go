package store

import (
	"context"
	"errors"
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
	NotifyCustomerReply NotificationKind = "customer_reply" // a customer of their account wrote back
	NotifyTaskAssigned  NotificationKind = "task_assigned"  // a task was created for them
	// NotifyWebhookStopped: a webhook subscription stopped delivering (failing for days, or 410 Gone); admins.
	NotifyWebhookStopped NotificationKind = "webhook_failing"
	// NotifyRiskAlert: a risk rule or a credit limit threshold raised an alert on an account of theirs.
	NotifyRiskAlert NotificationKind = "risk_alert"
)

// NotificationKinds are every kind, in the order of the table's CHECK.
var NotificationKinds = []NotificationKind{NotifyCaseAssigned, NotifyMention, NotifyCaseComment, NotifySLAReminder, NotifySLAEscalation,
	NotifyCustomerReply, NotifyTaskAssigned, NotifyWebhookStopped, NotifyRiskAlert}

// NotificationParams are what a notification's text is made of; the text
// itself is rendered when it is read, in the reader's language (app). The
// case's type and customer are filled in by the insert from the case.
type NotificationParams struct {
	Actor    string `json:"actor,omitempty"`     // who acted (an email): commented, mentioned, re-routed
	CaseType string `json:"case_type,omitempty"` // dispute, credit_limit_request ...
	Customer string `json:"customer,omitempty"`  // the case's customer's name
	Reason   string `json:"reason,omitempty"`    // why a case was re-routed
	SLADays  int    `json:"sla_days,omitempty"`  // the case's SLA in business days
	Level    int    `json:"level,omitempty"`     // an SLA alert's level: 1 reminder, 2 breach, 3 twice
	Files    string `json:"files,omitempty"`     // the names of files attached without a comment
	Subject  string `json:"subject,omitempty"`   // a customer reply's subject
	Task     string `json:"task,omitempty"`      // a task's kind
	TaskID   int64  `json:"task_id,omitempty"`
	// CustomerID is the account a task is on (its page is the link).
	CustomerID int64 `json:"customer_id,omitempty"`
	// WebhookID and URL name a subscription that stopped delivering.
	WebhookID int64  `json:"webhook_id,omitempty"`
	URL       string `json:"url,omitempty"`
	// Alert is a risk alert's kind (RiskAlert.Kind), AlertID the alert.
	Alert   string `json:"alert,omitempty"`
	AlertID int64  `json:"alert_id,omitempty"`
}

// Notification is one in-app notification of a user.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      NotificationKind
	CaseID    *int64
	Params    NotificationParams
	Fallback  string // the stored text of rows written before parameters (English); new rows ""
	CreatedAt time.Time
	ReadAt    *time.Time
	Unread    int64 // the user's unread notifications when it was read (by NotificationsByID)
}

const (
	// notifyCaseUsers notifies the users with these ids or emails about a case
	// (none found: nobody, a queue), except the one who acted and disabled users;
	// the parameters get the case's type and customer.
	notifyCaseUsers = `
INSERT INTO notifications (user_id, kind, case_id, params)
SELECT u.id, @kind, k.id, @params::jsonb || jsonb_build_object('case_type', k.type, 'customer', c.name)
FROM users u, cases k JOIN customers c ON c.id = k.customer_id
WHERE k.id = @case AND (u.id = @user OR u.email = ANY (@emails)) AND u.email <> @actor AND NOT u.disabled`
	// notifyTask tells a task's assignee, unless they made it themselves.
	notifyTask = `
INSERT INTO notifications (user_id, kind, params)
SELECT u.id, 'task_assigned', jsonb_build_object('task', @task::text, 'task_id', @task_id::bigint, 'customer', c.name,
       'customer_id', c.id, 'actor', @actor::text)
FROM users u, customers c
WHERE u.id = @user AND c.id = @customer AND u.email <> @actor AND NOT u.disabled`
	notificationColumns = `n.id, n.user_id, n.kind, n.case_id, n.params, n.text, n.created_at, n.read_at`
	listNotifications   = `
SELECT ` + notificationColumns + `, count(*) OVER ()
FROM notifications n
WHERE n.user_id = @user AND (NOT @unread::boolean OR n.read_at IS NULL)
ORDER BY n.id DESC
LIMIT @limit OFFSET @offset`
	unreadNotifications = `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`
	// notificationsByID reads announced notifications, each with its user's unread count.
	notificationsByID = `
SELECT ` + notificationColumns + `,
       (SELECT count(*) FROM notifications m WHERE m.user_id = n.user_id AND m.read_at IS NULL)
FROM notifications n WHERE n.id = ANY ($1) ORDER BY n.id`
	notificationsAfter = `
SELECT ` + notificationColumns + `, 0::bigint
FROM notifications n WHERE n.user_id = $1 AND n.id > $2 ORDER BY n.id LIMIT $3`
	lastNotification     = `SELECT coalesce(max(id), 0) FROM notifications WHERE user_id = $1`
	markNotificationRead = `
UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id`
	markAllNotificationsRead = `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`
)

// notify notifies one user (nil: nobody, a queue) about a case inside tx.
func notify(ctx context.Context, tx pgx.Tx, userID *int64, kind NotificationKind, caseID int64, p NotificationParams) error {
	if userID == nil {
		return nil
	}
	return notifyCase(ctx, tx, *userID, nil, kind, caseID, "", p)
}

// notifyByEmail notifies the users with these emails about a case, except actor's own.
func notifyByEmail(ctx context.Context, tx pgx.Tx, emails []string, actor string, kind NotificationKind, caseID int64, p NotificationParams) error {
	if len(emails) == 0 {
		return nil
	}
	return notifyCase(ctx, tx, 0, emails, kind, caseID, actorEmail(actor), p)
}

func notifyCase(ctx context.Context, tx pgx.Tx, userID int64, emails []string, kind NotificationKind, caseID int64, actor string,
	p NotificationParams) error {
	if emails == nil {
		emails = []string{}
	}
	_, err := tx.Exec(ctx, notifyCaseUsers, pgx.NamedArgs{"kind": string(kind), "case": caseID, "params": p, "user": userID,
		"emails": emails, "actor": actor})
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

func scanNotification(r pgx.CollectableRow, extra *int64) (Notification, error) {
	var n Notification
	err := r.Scan(&n.ID, &n.UserID, &n.Kind, &n.CaseID, &n.Params, &n.Fallback, &n.CreatedAt, &n.ReadAt, extra)
	return n, err
}

// Notifications lists a user's notifications, newest first (unread only
// when asked), with how many match and how many are unread.
func (s *Store) Notifications(ctx context.Context, userID int64, unread bool, page domain.Page) (list []Notification, total, unreadCount int64, err error) {
	rows, err := s.Pool.Query(ctx, listNotifications, pgx.NamedArgs{"user": userID, "unread": unread, "limit": page.Limit, "offset": page.Offset})
	if err != nil {
		return nil, 0, 0, err
	}
	list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) { return scanNotification(r, &total) })
	if err != nil {
		return nil, 0, 0, err
	}
	err = s.Pool.QueryRow(ctx, unreadNotifications, userID).Scan(&unreadCount)
	return list, total, unreadCount, err
}

// NotificationsByID reads notifications by id (those announced on
// ChannelNotification), oldest first, each with its user's unread count.
func (s *Store) NotificationsByID(ctx context.Context, ids []int64) ([]Notification, error) {
	rows, err := s.Pool.Query(ctx, notificationsByID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
		var unread int64
		n, err := scanNotification(r, &unread)
		n.Unread = unread
		return n, err
	})
}

// NotificationsAfter reads a user's notifications after id after, oldest
// first, at most limit: what a stream that saw up to after has missed.
func (s *Store) NotificationsAfter(ctx context.Context, userID, after int64, limit int) ([]Notification, error) {
	rows, err := s.Pool.Query(ctx, notificationsAfter, userID, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
		var zero int64
		return scanNotification(r, &zero)
	})
}

// LastNotificationID is the id of a user's newest notification (0: none).
func (s *Store) LastNotificationID(ctx context.Context, userID int64) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, lastNotification, userID).Scan(&id)
	return id, err
}

// UnreadNotifications counts a user's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.Pool.QueryRow(ctx, unreadNotifications, userID).Scan(&n)
	return n, err
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

// notifyTaskAssignee tells the assignee of a task just created for them.
func notifyTaskAssignee(ctx context.Context, tx pgx.Tx, userID, taskID, customerID int64, kind domain.TaskKind, actor string) error {
	_, err := tx.Exec(ctx, notifyTask, pgx.NamedArgs{"task": string(kind), "task_id": taskID, "customer": customerID,
		"user": userID, "actor": actorEmail(actor)})
	return err
}
