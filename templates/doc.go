// Package templates renders the messages Recoup sends to customers: emails
// (a subject, a plain-text part and an HTML part with a statement of the
// invoices concerned), SMS, and the text a voice call reads out.
//
// A Template is identified by a name (the dunning step, such as "reminder_1"),
// a reminder channel (email, sms or voice: domain.ReminderChannels) and a
// language. Defaults returns the shipped set; credit managers add or replace
// templates through the API, where Template.Validate refuses a
// template that does not parse or does not render with sample data. A Set
// holds validated templates and renders one for a customer, choosing the
// language: the customer's, else the selling entity's, else English.
//
// # Writing a template
//
// Templates use Go's template syntax (https://pkg.go.dev/text/template). The
// data is a Data: {{.Customer.Name}}, {{.Entity.Name}}, {{range .Invoices}}
// {{.Number}} {{money .Open}}{{end}}, {{with .PortalURL}}{{.}}{{end}}. The
// HTML part is an html/template: whatever it prints from the data is escaped
// for its context, so a customer called "<b>Acme</b>" shows as typed and a
// javascript: link is neutralized. Subject and text are plain text.
//
// Beyond the template language's own functions (len, index, eq, gt, printf,
// and, or, not...), these format for the template's language (dates in
// German for a German template):
//
//	money m              an amount with its currency: "€1,234.56" (en),
//	                     "1 234,56 €" (fr), "1.234,56 €" (de), "1234,56 €" (es),
//	                     "€ 1.234,56" (nl), "¥120,000", "KWD 12.345"; with the
//	                     currency's own number of decimals. Spaces are
//	                     non-breaking in email and plain in SMS and voice.
//	moneyList .Totals    the amounts of a list of totals, "€10.00 and ¥500"
//	spokenMoney m        an amount for text-to-speech: "1234 euros and 56 cents"
//	spokenMoneyList .Totals   the same for a list: "… 56 cents, plus 120000 yen"
//	date t               "2 January 2026", "1er janvier 2026", "2. Januar 2026",
//	                     "2 de enero de 2026", "2 gennaio 2026", "2 januari 2026",
//	                     "2 stycznia 2026", "2 يناير 2026", "2026年1月2日"
//	shortDate t          "2 Jan 2026", "2 janv. 2026", "02.01.2026", "2 ene 2026"
//	dir                  "rtl" for Arabic, "ltr" otherwise: <html dir="{{dir}}">
//	plural n one other   one or other by the language's rule for n
//	                     (French and Portuguese treat 0 as singular)
//
// and Data has methods MaxDaysOverdue and OpenItems: {{.MaxDaysOverdue}}.
//
// # The statement
//
// Besides .Invoices (what this reminder is about), a reminder sees the whole
// account: .Statement lists every open item (invoices, credit notes and
// unallocated payments, credits negative; .Marked on the invoices of this
// reminder), .Balances the totals per currency (Outstanding, Overdue,
// Credits, NetDue, Covered, ToPay) and .NetDue the net balances as a list
// for moneyList. .Totals is what the reminder asks for: per currency the
// open total of .Invoices capped at the net balance due, so that credits
// are never chased. Shipped templates are in DefaultLanguages; Arabic's
// HTML is right to left.
//
// The output is tidied per channel: the subject is made one line; the email
// text loses trailing spaces and repeated blank lines; an SMS keeps its line
// breaks but not runs of spaces; a voice text becomes one line of sentences.
// An SMS may not exceed MaxSMSChars characters, a voice text MaxVoiceChars.
//
// Amounts are never handled as floating-point numbers: they are money.Money
// (integer minor units) and are printed digit by digit.
package templates
