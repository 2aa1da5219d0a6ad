package app

import (
	"context"
	"slices"
	"strings"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// maxHolidays bounds one entity's list: years of public holidays fit well within it.
const maxHolidays = 2000

// EntityHolidays lists the dates loaded for an entity.
func (a *App) EntityHolidays(ctx context.Context, who domain.Principal, entity string) ([]store.Holiday, error) {
	if err := allow(who, auth.EntitiesRead); err != nil {
		return nil, err
	}
	list, err := a.store.EntityHolidays(ctx, entity)
	if list == nil && err == nil {
		list = []store.Holiday{}
	}
	return list, err
}

// ReplaceEntityHolidays replaces the dates loaded for an entity: they are
// added to the built-in calendar of each of its customers' countries (the
// holidays import adds dates per country). Each needs a date and a name;
// a date appears once. Accounts use them from their next evaluation.
func (a *App) ReplaceEntityHolidays(ctx context.Context, who domain.Principal, entity string, list []store.Holiday) ([]store.Holiday, error) {
	if err := allow(who, auth.EntitiesWrite); err != nil {
		return nil, err
	}
	if len(list) > maxHolidays {
		return nil, domain.FieldError("holidays", "%d dates: at most %d", len(list), maxHolidays)
	}
	var errs []error
	seen := map[string]int{}
	out := make([]store.Holiday, len(list))
	for i, h := range list {
		h.Name = strings.TrimSpace(h.Name)
		field := "holidays[" + itoa(int64(i)) + "]"
		switch {
		case h.Date.IsZero():
			errs = append(errs, domain.FieldError(field+".date", "required: YYYY-MM-DD"))
		case h.Name == "":
			errs = append(errs, domain.FieldError(field+".name", "required"))
		case len(h.Name) > 200:
			errs = append(errs, domain.FieldError(field+".name", "at most 200 characters"))
		}
		if j, dup := seen[h.Date.String()]; dup && !h.Date.IsZero() {
			errs = append(errs, domain.FieldError(field+".date", "%s is already at holidays[%d]", h.Date, j))
		} else {
			seen[h.Date.String()] = i
		}
		out[i] = h
	}
	if err := domain.Invalid(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(x, y store.Holiday) int { return x.Date.Compare(y.Date) })
	return a.store.ReplaceEntityHolidays(ctx, entity, out, who.Actor())
}
