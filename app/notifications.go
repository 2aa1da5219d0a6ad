package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
)

// NotificationQuery pages one's notifications, unread only when asked.
type NotificationQuery struct {
	Unread   bool
	Language string // the texts' language (NotificationLanguage)
	domain.Page
}

// Notifications are a page of the caller's own notifications and how many are unread.
type Notifications struct {
	Items  []Notification
	Total  int64
	Unread int64
}

// MyNotifications lists the caller's in-app notifications (cases assigned,
// @mentions, comments on their cases, SLA reminders and escalations), newest
// first, their texts in q.Language.
func (a *App) MyNotifications(ctx context.Context, who domain.Principal, q NotificationQuery) (Notifications, error) {
	if err := allow(who, auth.NotificationsOwn); err != nil {
		return Notifications{}, err
	}
	list, total, unread, err := a.store.Notifications(ctx, who.UserID, q.Unread, q.Page)
	return Notifications{Items: renderNotifications(q.Language, list), Total: total, Unread: unread}, err
}

// MarkNotificationRead marks one of the caller's notifications read.
func (a *App) MarkNotificationRead(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.NotificationsOwn); err != nil {
		return err
	}
	return a.store.MarkNotificationRead(ctx, who.UserID, id)
}

// MarkAllNotificationsRead marks every unread notification of the caller read.
func (a *App) MarkAllNotificationsRead(ctx context.Context, who domain.Principal) (int64, error) {
	if err := allow(who, auth.NotificationsOwn); err != nil {
		return 0, err
	}
	return a.store.MarkAllNotificationsRead(ctx, who.UserID)
}
