package app

import (
	"cmp"
	"context"

	"recoup/auth"
	"recoup/domain"
	"recoup/templates"
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

// SetNotificationDigest records whether who gets, with the daily digests, an
// email of their unread notifications (anyone with notifications; off by default).
func (a *App) SetNotificationDigest(ctx context.Context, who domain.Principal, on bool) error {
	if err := allow(who, auth.NotificationsOwn); err != nil {
		return err
	}
	if who.UserID == 0 {
		return domain.Errorf(domain.CodeInvalid, "%s has no profile", who.Actor())
	}
	return a.store.SetNotificationDigest(ctx, who.UserID, on, who.Actor())
}

// NotificationDigestOn says whether who gets the email of their unread notifications.
func (a *App) NotificationDigestOn(ctx context.Context, who domain.Principal) (bool, error) {
	if who.UserID == 0 {
		return false, nil
	}
	return a.store.UserNotificationDigest(ctx, who.UserID)
}

// NotificationDigestEmail is what the email of who's unread notifications
// says, in their language: the newest first, each with its case's page
// under publicURL.
func (a *App) NotificationDigestEmail(ctx context.Context, who domain.Principal, publicURL string) (templates.NotificationDigestData, error) {
	list, _, unread, err := a.store.Notifications(ctx, who.UserID, true, domain.Page{Limit: templates.NotificationDigestMax})
	if err != nil {
		return templates.NotificationDigestData{}, err
	}
	lang := NotificationLanguage(who.Language, "")
	out := templates.NotificationDigestData{Name: cmp.Or(who.Name, who.Email), Unread: unread,
		More: unread > int64(len(list)), Link: publicURL + "/notifications"}
	for _, n := range list {
		item := templates.NotificationDigestItem{At: n.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Text: NotificationText(lang, n)}
		switch {
		case n.CaseID != nil:
			item.Link = publicURL + "/cases/" + itoa(*n.CaseID)
		case n.Params.CustomerID != 0:
			item.Link = publicURL + "/accounts/" + itoa(n.Params.CustomerID)
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}
