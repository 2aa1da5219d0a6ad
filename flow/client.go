package flow

import (
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"recoup/domain"
)

// Client starts and messages Recoup's workflows. A nil *Client stands for a
// process without Temporal: its methods answer domain.CodeUnavailable.
type Client struct {
	c client.Client
}

// NewClient wraps a Temporal client; nil gives nil.
func NewClient(c client.Client) *Client {
	if c == nil {
		return nil
	}
	return &Client{c: c}
}

// Temporal is the wrapped client, for what only the SDK does (reading histories).
func (f *Client) Temporal() client.Client { return f.c }

// ErrUnavailable answers what needs Temporal in a process without it.
var ErrUnavailable = domain.Errorf(domain.CodeUnavailable, "this process has no Temporal connection")

func (f *Client) ready() error {
	if f == nil {
		return ErrUnavailable
	}
	return nil
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
