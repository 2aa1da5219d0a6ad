package notify

import "errors"

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
