package app

import (
	"context"
	"slices"
	"strings"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// The feed's page size: DefaultEventLimit unless asked, at most MaxEventLimit.
const (
	DefaultEventLimit = 100
	MaxEventLimit     = 1000
)

// EventQuery reads the feed from a position: the events after After (0: from
// the start), of the Types asked (none: all), at most Limit.
type EventQuery struct {
	After int64
	Types []string
	Limit int
}

// Events reads the event feed inside the caller's perimeter, in id order. A
// client keeps the last id it read and asks again after it: an id below one
// it has seen never appears later (the outbox numbers events at commit).
func (a *App) Events(ctx context.Context, who domain.Principal, q EventQuery) (store.EventPage, error) {
	if err := allow(who, auth.EventsRead); err != nil {
		return store.EventPage{}, err
	}
	types, err := eventTypes("types", q.Types)
	if err != nil {
		return store.EventPage{}, err
	}
	var errs []error
	if q.After < 0 {
		errs = append(errs, domain.FieldError("after", "%d: an event id (0 or more)", q.After))
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultEventLimit
	case q.Limit < 0 || q.Limit > MaxEventLimit:
		errs = append(errs, domain.FieldError("limit", "%d: from 1 to %d", q.Limit, MaxEventLimit))
	}
	if err := domain.Invalid(errs...); err != nil {
		return store.EventPage{}, err
	}
	return a.store.Events(ctx, perimeter(who), store.EventQuery{After: q.After, Types: types, Limit: q.Limit})
}

// eventTypes checks a list of event types (field names the input), without
// blanks or repeats.
func eventTypes(field string, in []string) ([]string, error) {
	out := []string{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if !slices.Contains(store.EventTypes, t) {
			return nil, domain.FieldError(field, "%q is not an event type (%s)", t, strings.Join(store.EventTypes, ", "))
		}
		out = append(out, t)
	}
	return out, nil
}
