package notify

import (
	"errors"

	twclient "github.com/twilio/twilio-go/client"
)

// PermanentError marks a failure that retrying the same request cannot fix: the recipient
// was rejected (unknown mailbox, invalid or unsubscribed number) or the request itself is
// invalid. Temporal activities should turn it into a non-retryable failure.
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err, or any error it wraps, is a PermanentError. Everything
// else (network trouble, timeouts, temporary rejections, server errors) is temporary.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

func permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &PermanentError{Err: err}
}

// OptedOutCode is Twilio's error for a send to a number that answered STOP.
const OptedOutCode = 21610

// TwilioCode is the Twilio error code err carries (0 when none).
func TwilioCode(err error) int {
	var rest *twclient.TwilioRestError
	var restV1 *twclient.RestErrorV1
	switch {
	case errors.As(err, &rest):
		return rest.Code
	case errors.As(err, &restV1):
		return restV1.Code
	}
	return 0
}

// OptedOut reports whether Twilio refused a send because the number opted out (STOP).
func OptedOut(err error) bool { return TwilioCode(err) == OptedOutCode }
