// Package capture is the development/test stand-in for real message delivery.
//
// ListenSMTP runs a real SMTP server (go-smtp) in-process. Everything the product sends to it
// is kept in a Mailbox instead of being delivered, and Mailbox.Handler shows it in the browser
// (mounted at /dev/mail by `recoup dev`). Integration tests use the same pieces: start
// ListenSMTP on 127.0.0.1:0, point SMTP_URL at SMTPServer.Addr, and assert on
// Mailbox.WaitFor.
//
// Messages carry a Kind so that SMS and calls can later be captured into the same Mailbox and
// shown beside email; today only KindEmail exists.
package capture
