package app

import (
	"context"
	"sort"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
	"recoup/templates"
)

// maxDigestAccounts bounds the accounts one digest plans: each costs a
// snapshot and a workflow query.
const maxDigestAccounts = 2000

// Digest is a credit manager's look at tomorrow: the automatic messages the
// planner would send (by entity and channel) and the accounts that cannot be
// chased, with why.
type Digest struct {
	// Sends counts tomorrow's planned customer messages, on the channel the
	// step names (a fallback may change it); absent when Temporal is not
	// reachable (SendsKnown false).
	Sends       []DigestSends       `json:"sends"`
	SendsKnown  bool                `json:"sends_known"`
	Accounts    int                 `json:"accounts"`  // accounts with open invoices looked at
	Truncated   bool                `json:"truncated"` // more than maxDigestAccounts: the rest is not looked at
	CannotChase []store.Unchaseable `json:"cannot_chase"`
}

// DigestSends is how many messages one entity sends tomorrow on one channel.
type DigestSends struct {
	Entity  string         `json:"entity"`
	Sending store.Sending  `json:"sending"` // test: they go to the test address; off: they are skipped
	Channel domain.Channel `json:"channel"`
	Count   int            `json:"count"`
}

// DailyDigest builds the digest for who's perimeter. Tomorrow is each
// account's own local tomorrow.
func (a *App) DailyDigest(ctx context.Context, who domain.Principal) (Digest, error) {
	var d Digest
	if err := allow(who, auth.DunningRead); err != nil {
		return d, err
	}
	now := time.Now().UTC()
	ids, blocked, err := a.store.AccountsToChase(ctx, perimeter(who), maxDigestAccounts+1, now)
	if err != nil {
		return d, err
	}
	if len(ids) > maxDigestAccounts {
		ids, d.Truncated = ids[:maxDigestAccounts], true
	}
	d.Accounts, d.CannotChase = len(ids), blocked
	if d.CannotChase == nil {
		d.CannotChase = []store.Unchaseable{}
	}
	d.Sends = []DigestSends{}
	if a.flow == nil {
		return d, nil
	}
	type key struct {
		entity  string
		channel domain.Channel
	}
	counts := map[key]int{}
	for _, id := range ids {
		acct, meta, err := a.store.AccountSnapshot(ctx, id)
		if err != nil {
			return d, err
		}
		var state dunning.State
		st, err := a.flow.Status(ctx, id)
		switch {
		case err == nil:
			state = st.State
			acct.Paused, acct.PausedUntil = st.Pause.Paused, st.Pause.Until
		case domain.ErrorCode(err) == domain.CodeNotFound:
		case domain.ErrorCode(err) == domain.CodeUnavailable:
			return d, nil // Temporal went away: the digest says the sends are unknown
		default:
			return d, err
		}
		tomorrow := acct.Today(now).AddDays(1)
		for _, ac := range dunning.Preview(acct, state, now, 3) {
			ch := ac.Channel
			if ch == "" {
				ch = ac.Step.Channel
			}
			if ch.IsReminder() && acct.Today(ac.At) == tomorrow {
				counts[key{meta.EntityCode, ch}]++
			}
		}
	}
	modes := map[string]store.Sending{}
	for k, n := range counts {
		mode, ok := modes[k.entity]
		if !ok {
			s, err := a.store.EntitySettings(ctx, k.entity)
			if err != nil {
				return d, err
			}
			mode, modes[k.entity] = s.Sending, s.Sending
		}
		d.Sends = append(d.Sends, DigestSends{Entity: k.entity, Sending: mode, Channel: k.channel, Count: n})
	}
	sort.Slice(d.Sends, func(i, j int) bool {
		if d.Sends[i].Entity != d.Sends[j].Entity {
			return d.Sends[i].Entity < d.Sends[j].Entity
		}
		return d.Sends[i].Channel < d.Sends[j].Channel
	})
	d.SendsKnown = true
	return d, nil
}

// DigestEmail is who's digest as the daily email reads it (the same
// DailyDigest, so the same perimeter and rules), dated tomorrow (UTC), with
// the accounts that cannot be chased capped at templates.DigestMaxAccounts.
func (a *App) DigestEmail(ctx context.Context, who domain.Principal, link string) (templates.DigestData, error) {
	d, err := a.DailyDigest(ctx, who)
	if err != nil {
		return templates.DigestData{}, err
	}
	out := templates.DigestData{Name: who.Name, Date: time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly),
		SendsKnown: d.SendsKnown, Accounts: d.Accounts, Truncated: d.Truncated, Link: link}
	if out.Name == "" {
		out.Name = who.Email
	}
	for _, s := range d.Sends {
		out.Sends = append(out.Sends, templates.DigestSends{Entity: s.Entity, Sending: string(s.Sending),
			Channel: string(s.Channel), Count: s.Count})
	}
	for i, b := range d.CannotChase {
		if i == templates.DigestMaxAccounts {
			out.More = len(d.CannotChase) - i
			break
		}
		out.Blocked = append(out.Blocked, templates.DigestBlocked{Name: b.Name, Entity: b.Entity, Reasons: b.Reasons})
	}
	return out, nil
}
