// Package worker builds the Temporal worker: it registers Recoup's workflows
// and activities and makes sure the namespace has the search attributes they use.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"recoup/activities"
	"recoup/config"
	"recoup/dunning"
	"recoup/dunningctl"
	"recoup/notify"
	"recoup/store"
	"recoup/templates"
	"recoup/workflows"
)

// Deps are what the activities need.
type Deps struct {
	Store     *store.Store
	Mailer    *notify.Mailer // nil: no email
	Twilio    *notify.Twilio // nil: no SMS or calls
	Templates *templates.Set // nil: the shipped templates
	// StatusCallbackURL is the public URL of /webhooks/twilio, for delivery reports; "" for none.
	StatusCallbackURL string
	Log               *slog.Logger
}

// stopTimeout is how long a stopping worker waits for its running activities.
const stopTimeout = 30 * time.Second

// New returns a worker on the Recoup task queue with everything registered; Run or Start it.
func New(c client.Client, deps Deps) sdkworker.Worker {
	// A stopping worker lets the activities it runs finish (a send and its
	// record in message_log) rather than cut them between the two.
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{WorkerStopTimeout: stopTimeout})
	w.RegisterWorkflow(workflows.SystemCheck)
	w.RegisterWorkflow(workflows.Dunning)
	w.RegisterWorkflow(workflows.WakeAccounts)
	w.RegisterWorkflow(workflows.SweepOpenAccounts)
	w.RegisterActivity(&activities.Store{DB: deps.Store})
	w.RegisterActivity(&activities.Accounts{Store: deps.Store})
	w.RegisterActivity(&activities.Waker{Store: deps.Store, Control: &dunningctl.Control{Client: c}})
	if deps.Templates == nil {
		deps.Templates = templates.DefaultSet()
	}
	w.RegisterActivity(&activities.Dunning{Store: deps.Store, Mailer: deps.Mailer, Twilio: deps.Twilio,
		Templates: deps.Templates, StatusCallbackURL: deps.StatusCallbackURL, Log: deps.Log})
	return w
}

// SweepEvery is how often every account with open items is woken, to catch
// up any an import could not wake.
const SweepEvery = 24 * time.Hour

// Prepare makes sure what every account's dunning needs exists: the default
// scenario, so dunning works right after the first import.
func Prepare(ctx context.Context, st *store.Store) error {
	def := dunning.DefaultScenario()
	steps, err := json.Marshal(def.Steps)
	if err != nil {
		return err
	}
	_, err = st.EnsureDefaultScenario(ctx, def.Name, steps)
	return err
}

// Senders builds the email and Twilio senders from the configuration; Twilio
// stays nil when no account is configured.
func Senders(cfg *config.Config) (*notify.Mailer, *notify.Twilio, error) {
	mailer, err := notify.NewMailer(cfg.SMTPURL, cfg.MailFrom)
	if err != nil {
		return nil, nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	if cfg.TwilioAccountSID == "" {
		return mailer, nil, nil
	}
	tw, err := notify.NewTwilio(cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioFromNumber, cfg.TwilioAPIURL)
	if err != nil {
		return nil, nil, fmt.Errorf("Twilio settings: %w", err)
	}
	return mailer, tw, nil
}

// EnsureSearchAttributes adds the custom search attributes Recoup needs to the
// namespace when they are missing. It needs the operator's right to do so and
// says so clearly when it does not have it.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, log *slog.Logger) error {
	op := c.OperatorService()
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of namespace %s: %w", namespace, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range workflows.SearchAttributes {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(missing))
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	var denied *serviceerror.PermissionDenied
	switch {
	case errors.As(err, &denied):
		return fmt.Errorf("namespace %s lacks the search attributes %v and this worker may not add them (%v): "+
			"ask the Temporal operator to create them (temporal operator search-attribute create)", namespace, names, err)
	case err != nil:
		return fmt.Errorf("add search attributes %v to namespace %s: %w", names, namespace, err)
	}
	log.Info("search attributes added", "namespace", namespace, "attributes", names)
	return nil
}
