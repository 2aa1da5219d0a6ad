// Package inbound receives the email customers send back: replies to
// reminders and delivery status notifications (bounces). It parses a raw
// message into a Message (text preferred, HTML converted to safe plain text,
// charsets decoded, attachments kept aside, auto-replies and bounces
// recognised), builds and reads the reply addresses reminders carry, and runs
// the SMTP listener an MX or a forwarding rule delivers to. What a message
// does to an account is app.ReceiveCustomerEmail's business, not this
// package's.
package inbound
