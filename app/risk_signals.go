package app

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/risk"
	"recoup/store"
)

// RiskWebhook is one POST to /webhooks/risk/{provider}: the raw body and the
// signature headers (risk.TimestampHeader, risk.SignatureHeader).
type RiskWebhook struct {
	Provider  string
	Timestamp string
	Signature string
	Body      []byte
}

// errRiskUnauthorized answers an unknown or inactive provider and a bad
// signature alike, so the door does not tell which providers exist.
var errRiskUnauthorized = domain.Errorf(domain.CodeUnauthorized, "unknown provider or bad signature")

// ReceiveRiskWebhook ingests a provider's signed body (README "Signals in").
// No session: the provider is who the HMAC signature of the body, with its
// secret, says it is; anything else is CodeUnauthorized and nothing is
// written. A body its adapter cannot read is CodeInvalid, nothing written.
// The batch lands in one transaction; an event id already received is a
// duplicate, a no-op.
func (a *App) ReceiveRiskWebhook(ctx context.Context, in RiskWebhook, now time.Time) (store.Ingested, error) {
	p, err := a.store.RiskProviderByName(ctx, in.Provider)
	if domain.ErrorCode(err) == domain.CodeNotFound || (err == nil && !p.Active) {
		return store.Ingested{}, errRiskUnauthorized
	}
	if err != nil {
		return store.Ingested{}, err
	}
	if err := risk.Verify(p.Secret, in.Timestamp, in.Signature, in.Body, now); err != nil {
		if errors.Is(err, risk.ErrBadSignature) {
			return store.Ingested{}, errRiskUnauthorized
		}
		return store.Ingested{}, domain.Errorf(domain.CodeUnauthorized, "%v", err)
	}
	adapter, ok := risk.Adapters[p.Adapter]
	if !ok {
		return store.Ingested{}, domain.Errorf(domain.CodeInternal, "risk provider %s: unknown adapter %q", p.Name, p.Adapter)
	}
	signals, err := adapter.Parse(in.Body)
	if err != nil {
		return store.Ingested{}, err
	}
	if len(signals) == 0 { // a body of notices the adapter skips
		return store.Ingested{}, nil
	}
	got, err := a.store.IngestRiskSignals(ctx, store.RiskIngest{Provider: p.Name, Source: "webhook",
		Actor: "risk/" + p.Name, Signals: signals})
	if err != nil {
		return got, err
	}
	if got.Inserted > 0 {
		a.evaluateRisk(ctx)
	}
	return got, nil
}

// CustomerRisk is a customer's latest risk and a page of its history.
type CustomerRisk struct {
	Latest  store.RiskLatest
	History store.RiskSignalPage
}

// CustomerRisk reads a customer's risk, inside who's perimeter (outside it:
// not found).
func (a *App) CustomerRisk(ctx context.Context, who domain.Principal, customerID int64, page domain.Page) (CustomerRisk, error) {
	if err := allow(who, auth.RiskRead); err != nil {
		return CustomerRisk{}, err
	}
	per := perimeter(who)
	latest, err := a.store.RiskLatest(ctx, per, customerID)
	if err != nil {
		return CustomerRisk{}, err
	}
	hist, err := a.store.RiskHistory(ctx, per, customerID, page.Limit, page.Offset)
	return CustomerRisk{Latest: latest, History: hist}, err
}

// UnmatchedRiskSignals is a page of the queue of signals no customer was
// matched to, newest first.
func (a *App) UnmatchedRiskSignals(ctx context.Context, who domain.Principal, page domain.Page) (store.RiskSignalPage, error) {
	if err := allow(who, auth.RiskMatch); err != nil {
		return store.RiskSignalPage{}, err
	}
	return a.store.UnmatchedRiskSignals(ctx, page.Limit, page.Offset)
}

// RiskMatchRequest names the customer an unmatched signal is about: by id,
// or by the ERP's external id (what an agent has at hand); exactly one.
type RiskMatchRequest struct {
	CustomerID         int64  `json:"customer_id"`
	CustomerExternalID string `json:"customer_external_id"`
}

// MatchRiskSignal gives an unmatched signal to a customer inside who's
// perimeter and applies it to the customer's latest risk, as ingestion would
// have; journaled on the customer.
func (a *App) MatchRiskSignal(ctx context.Context, who domain.Principal, signalID int64, req RiskMatchRequest) (store.RiskSignal, error) {
	if err := allow(who, auth.RiskMatch); err != nil {
		return store.RiskSignal{}, err
	}
	ext := strings.TrimSpace(req.CustomerExternalID)
	per := perimeter(who)
	customer := req.CustomerID
	switch {
	case customer == 0 && ext == "":
		return store.RiskSignal{}, domain.FieldError("customer_id", "is required: the customer's id or external id")
	case customer != 0 && ext != "":
		return store.RiskSignal{}, domain.FieldError("customer_external_id", "give the customer's id or its external id, not both")
	case customer < 0:
		return store.RiskSignal{}, domain.FieldError("customer_id", "%d: want a positive id", customer)
	case ext != "":
		id, err := a.store.CustomerIDByExternalID(ctx, per, ext)
		if domain.ErrorCode(err) == domain.CodeNotFound {
			return store.RiskSignal{}, domain.FieldError("customer_external_id", "no customer %q", ext)
		}
		if err != nil {
			return store.RiskSignal{}, err
		}
		customer = id
	default:
		if err := a.store.CheckCustomer(ctx, per, customer); domain.ErrorCode(err) == domain.CodeNotFound {
			return store.RiskSignal{}, domain.FieldError("customer_id", "no customer %d", customer)
		} else if err != nil {
			return store.RiskSignal{}, err
		}
	}
	g, err := a.store.MatchRiskSignal(ctx, signalID, customer, who.Actor())
	if err != nil {
		return g, err
	}
	a.evaluateRisk(ctx)
	return g, nil
}

// DismissRiskSignal takes an unmatched signal out of the queue: a company
// that is not a customer. It stays in the table, journaled.
func (a *App) DismissRiskSignal(ctx context.Context, who domain.Principal, signalID int64) (store.RiskSignal, error) {
	if err := allow(who, auth.RiskMatch); err != nil {
		return store.RiskSignal{}, err
	}
	return a.store.DismissRiskSignal(ctx, signalID, who.Actor())
}

// RiskProviderRequest creates or changes a provider. Active nil keeps the
// state (a new one is active).
type RiskProviderRequest struct {
	Name    string `json:"name"`
	Adapter string `json:"adapter"`
	Active  *bool  `json:"active"`
}

// CreatedRiskProvider is a provider with its webhook secret: shown once, at
// creation and at each rotation.
type CreatedRiskProvider struct {
	store.RiskProvider
	Secret string `json:"secret"`
}

var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func riskAdapter(name string) error {
	if _, ok := risk.Adapters[name]; !ok {
		return domain.FieldError("adapter", "%q: want one of %s", name, strings.Join(risk.AdapterNames(), ", "))
	}
	return nil
}

// CreateRiskProvider declares a provider with a new secret, answered once.
func (a *App) CreateRiskProvider(ctx context.Context, who domain.Principal, req RiskProviderRequest) (CreatedRiskProvider, error) {
	if err := allow(who, auth.RiskManage); err != nil {
		return CreatedRiskProvider{}, err
	}
	name := strings.TrimSpace(req.Name)
	var errs []error
	if !providerName.MatchString(name) {
		errs = append(errs, domain.FieldError("name", "%q: 1 to 40 lower-case letters, digits, '-' and '_', starting with a letter or digit (it is the webhook's path)", name))
	}
	if err := riskAdapter(req.Adapter); err != nil {
		errs = append(errs, err)
	}
	if err := domain.Invalid(errs...); err != nil {
		return CreatedRiskProvider{}, err
	}
	secret, err := risk.NewSecret()
	if err != nil {
		return CreatedRiskProvider{}, err
	}
	active := req.Active == nil || *req.Active
	p, err := a.store.CreateRiskProvider(ctx, store.RiskProvider{Name: name, Adapter: req.Adapter, Secret: secret, Active: active}, who.Actor())
	if err != nil {
		return CreatedRiskProvider{}, err
	}
	return CreatedRiskProvider{RiskProvider: p, Secret: secret}, nil
}

// UpdateRiskProvider changes a provider's adapter and turns it off or on;
// the name stays (it is the webhook's path), the secret too.
func (a *App) UpdateRiskProvider(ctx context.Context, who domain.Principal, name string, req RiskProviderRequest) (store.RiskProvider, error) {
	if err := allow(who, auth.RiskManage); err != nil {
		return store.RiskProvider{}, err
	}
	p, err := a.store.RiskProviderByName(ctx, name)
	if err != nil {
		return p, err
	}
	if n := strings.TrimSpace(req.Name); n != "" && n != name {
		return p, domain.FieldError("name", "a provider keeps its name (its webhook's path): create another one")
	}
	adapter := p.Adapter
	if req.Adapter != "" {
		if err := riskAdapter(req.Adapter); err != nil {
			return p, err
		}
		adapter = req.Adapter
	}
	active := p.Active
	if req.Active != nil {
		active = *req.Active
	}
	return a.store.UpdateRiskProvider(ctx, name, adapter, active, nil, who.Actor())
}

// RotateRiskProviderSecret gives a provider a new secret, answered once; the
// old one stops working at once.
func (a *App) RotateRiskProviderSecret(ctx context.Context, who domain.Principal, name string) (CreatedRiskProvider, error) {
	if err := allow(who, auth.RiskManage); err != nil {
		return CreatedRiskProvider{}, err
	}
	p, err := a.store.RiskProviderByName(ctx, name)
	if err != nil {
		return CreatedRiskProvider{}, err
	}
	secret, err := risk.NewSecret()
	if err != nil {
		return CreatedRiskProvider{}, err
	}
	p, err = a.store.UpdateRiskProvider(ctx, name, p.Adapter, p.Active, &secret, who.Actor())
	if err != nil {
		return CreatedRiskProvider{}, err
	}
	return CreatedRiskProvider{RiskProvider: p, Secret: secret}, nil
}

// RiskProviders lists the providers (never their secrets).
func (a *App) RiskProviders(ctx context.Context, who domain.Principal) ([]store.RiskProvider, error) {
	if err := allow(who, auth.RiskManage); err != nil {
		return nil, err
	}
	return a.store.RiskProviders(ctx)
}

// RiskProvider is one provider.
func (a *App) RiskProvider(ctx context.Context, who domain.Principal, name string) (store.RiskProvider, error) {
	if err := allow(who, auth.RiskManage); err != nil {
		return store.RiskProvider{}, err
	}
	return a.store.RiskProviderByName(ctx, name)
}

// DeleteRiskProvider removes a provider; the signals it sent stay.
func (a *App) DeleteRiskProvider(ctx context.Context, who domain.Principal, name string) error {
	if err := allow(who, auth.RiskManage); err != nil {
		return err
	}
	return a.store.DeleteRiskProvider(ctx, name, who.Actor())
}
