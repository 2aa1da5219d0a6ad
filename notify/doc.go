// Package notify sends the reminders Recoup's Temporal activities decide on: email over SMTP
// (Mailer), SMS and voice calls through Twilio (Twilio), and receives Twilio's delivery
// reports (WebhookHandler).
//
// Every send reports failures in two classes so the activity can pick the right reaction:
// IsPermanent(err) means retrying the same request cannot succeed (the address or number is
// invalid, unknown or opted out) and the activity should fail without retry; any other error
// is temporary (network, timeouts, 4xx SMTP replies, Twilio 5xx, configuration problems that
// an operator can fix) and should be left to the activity's retry policy.
//
// For development and tests, capture.ListenSMTP and capture.TwilioAPI stand in for the SMTP
// server and for Twilio (point SMTP_URL and TWILIO_API_URL at them).
package notify
