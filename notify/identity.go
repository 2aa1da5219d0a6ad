package notify

import (
	"cmp"
	"net/mail"
)

// Identity is who a customer email speaks for and where its answers go:
// the entity's sender settings, the account's reply address and its agent.
type Identity struct {
	EntityName                string
	SenderName, SenderAddress string // the entity's sender ("": RECOUP_MAIL_FROM's)
	ReplyAddress              string // the account's reply address (its token at the entity's reply domain); "": none
	ReplyTo                   string // the entity's Reply-To address
	AgentName, AgentEmail     string // the account's agent
}

// Sign fills e's sender: the entity's name and address when set (an
// address without a name is sent under the entity's name), and Reply-To the
// account's reply address when there is one (bounces go there too, as the
// envelope sender), else the entity's Reply-To, else the account's agent,
// else none (answers then go to From). Reminders and the portal's emails
// sign alike, so an answer to either reaches the same place.
func (e *Email) Sign(id Identity) {
	e.FromName, e.FromAddress = id.SenderName, id.SenderAddress
	if e.FromAddress != "" && e.FromName == "" {
		e.FromName = id.EntityName
	}
	switch {
	case id.ReplyAddress != "":
		name := cmp.Or(id.AgentName, id.SenderName, id.EntityName)
		e.ReplyTo = (&mail.Address{Name: name, Address: id.ReplyAddress}).String()
		e.EnvelopeFrom = id.ReplyAddress
	case id.ReplyTo != "":
		e.ReplyTo = id.ReplyTo
	case id.AgentEmail != "":
		e.ReplyTo = (&mail.Address{Name: id.AgentName, Address: id.AgentEmail}).String()
	}
}
