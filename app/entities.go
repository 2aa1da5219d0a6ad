package app

import (
	"context"
	"regexp"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// Entities lists the legal entities with their contact windows.
func (a *App) Entities(ctx context.Context, who domain.Principal) ([]store.Entity, error) {
	if err := allow(who, auth.EntitiesRead); err != nil {
		return nil, err
	}
	return a.store.Entities(ctx)
}

// ContactWindow is the entity's contact window.
func (a *App) ContactWindow(ctx context.Context, who domain.Principal, entity string) (store.ContactWindow, error) {
	if err := allow(who, auth.EntitiesRead); err != nil {
		return store.ContactWindow{}, err
	}
	return a.store.EntityContactWindow(ctx, entity)
}

// WindowRequest sets an entity's contact window: start and end are local
// times "HH:MM", start before end unless any_time.
type WindowRequest struct {
	Start   *string `json:"start"`
	End     *string `json:"end"`
	AnyTime bool    `json:"any_time"`
}

// SetContactWindow changes when the entity's customers may be contacted.
func (a *App) SetContactWindow(ctx context.Context, who domain.Principal, entity string, req WindowRequest) (store.ContactWindow, error) {
	if err := allow(who, auth.EntitiesWrite); err != nil {
		return store.ContactWindow{}, err
	}
	w, err := validWindow(req)
	if err != nil {
		return w, err
	}
	return a.store.SetEntityContactWindow(ctx, entity, w, who.Actor())
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func validWindow(req WindowRequest) (store.ContactWindow, error) {
	var errs []error
	for _, f := range []struct {
		name string
		v    *string
	}{{"start", req.Start}, {"end", req.End}} {
		switch {
		case f.v == nil:
			errs = append(errs, domain.FieldError(f.name, "required: a local time such as 09:00"))
		case !clockRE.MatchString(*f.v):
			errs = append(errs, domain.FieldError(f.name, "%q: want a local time HH:MM from 00:00 to 23:59", *f.v))
		}
	}
	if err := domain.Invalid(errs...); err != nil {
		return store.ContactWindow{}, err
	}
	w := store.ContactWindow{Start: *req.Start, End: *req.End, AnyTime: req.AnyTime}
	if !w.AnyTime && w.Start >= w.End { // HH:MM compare as text
		return w, domain.FieldError("end", "%s: must be after start (%s), unless any_time", w.End, w.Start)
	}
	return w, nil
}
