package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// NotificationQuery pages one's notifications, unread only when asked.
type NotificationQuery struct {
	Unread bool
	domain.Page
}

// Notifications are a page of the caller's own notifications and how many are unread.
type Notifications struct {
	Items  []store.Notification
	Total  int64
	Unread int64
}

// MyNotifications lists the caller's in-app notifications (cases assigned,
// @mentions, comments on their cases, SLA reminders and escalations), newest first.
func (a *App) MyNotifications(ctx context.Context, who domain.Principal, q NotificationQuery) (Notifications, error) {
	if err := allow(who, auth.NotificationsOwn); err != nil {
		return Notifications{}, err
	}
	var n Notifications
	var err error
	n.Items, n.Total, n.Unread, err = a.store.Notifications(ctx, who.UserID, q.Unread, q.Page)
	return n, err
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
