package domain

import "strings"

// Channel is how a dunning step reaches the customer or the team. The
// values are stored in scenarios, templates and the message log.
type Channel string

const (
	ChannelEmail      Channel = "email"       // multipart text + HTML mail
	ChannelSMS        Channel = "sms"         // text message
	ChannelVoice      Channel = "voice"       // phone call reading a text with text-to-speech
	ChannelTask       Channel = "task"        // a task for a person (a call)
	ChannelEscalation Channel = "escalation"  // hands the invoice to a person; stops reminders
	ChannelCreditHold Channel = "credit_hold" // blocks new orders for the account
)

// Channels lists every channel, reminders first.
var Channels = []Channel{ChannelEmail, ChannelSMS, ChannelVoice, ChannelTask, ChannelEscalation, ChannelCreditHold}

// ReminderChannels are the channels of automatic messages to the customer,
// the ones templates are written for, in a stable order.
var ReminderChannels = []Channel{ChannelEmail, ChannelSMS, ChannelVoice}

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool {
	switch c {
	case ChannelEmail, ChannelSMS, ChannelVoice, ChannelTask, ChannelEscalation, ChannelCreditHold:
		return true
	}
	return false
}

// IsReminder reports whether c sends an automatic message to the customer:
// those are the steps an escalation stops, and the channels templates exist for.
func (c Channel) IsReminder() bool {
	return c == ChannelEmail || c == ChannelSMS || c == ChannelVoice
}

// Choices writes values as "a, b or c", the way error messages list what is allowed.
func Choices[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
