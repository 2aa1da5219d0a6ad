package app

import (
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"recoup/store"
)

// NotificationLanguages are the languages notifications are written in; the
// first is the fallback.
var NotificationLanguages = []string{"en", "fr"}

// notificationTexts are the words of notifications per language: one text per
// kind (and variant: assigned "by" someone, an escalation "again"), with
// {case}, {type}, {customer}, {actor}, {reason}, {days}, {files}, {subject}, {task}, {webhook}, {url} and {alert} filled in from the
// notification; "type.*" names a case's type inside them. Every key exists in
// every language (a test checks it).
var notificationTexts = map[string]map[string]string{
	"en": {
		"case_assigned":                 "Case {case} ({type}, {customer}) was routed to you",
		"case_assigned.by":              "Case {case} ({type}, {customer}) was routed to you by {actor}: {reason}",
		"mention":                       "{actor} mentioned you on case {case} ({customer})",
		"case_comment":                  "{actor} commented on your case {case} ({customer})",
		"case_comment.files":            "{actor} attached {files} to your case {case} ({customer})",
		"customer_reply":                "{actor} replied ({subject}) on case {case} ({customer})",
		"task_assigned":                 "A task ({task}) on {customer} is yours",
		"webhook_failing":               "Webhook {webhook} ({url}) stopped delivering: {reason}",
		"risk_alert":                    "Risk alert on {customer}: {alert}",
		"alert.score_drop":              "the risk score dropped",
		"alert.rating_worse":            "the rating got worse",
		"alert.limit_below_outstanding": "the recommended limit is below the outstanding",
		"alert.legal_status":            "the legal status changed",
		"alert.insolvency":              "insolvency proceedings: dunning stopped",
		"alert.limit_use":               "the credit limit use passed a threshold",
		"task.call":                     "call",
		"task.manual_email":             "email to write",
		"task.escalation":               "escalation",
		"task.purchase_order":           "purchase order",
		"task.payment_plan":             "payment plan",
		"task.fix_contact":              "contact to fix",
		"task.check_payment":            "payment to check",
		"task.case":                     "case follow-up",
		"sla_reminder":                  "Case {case} ({type}, {customer}): half its SLA of {days} business days is gone",
		"sla_escalation":                "Case {case} ({type}, {customer}) is past its SLA of {days} business days: escalated",
		"sla_escalation.again":          "Case {case} ({type}, {customer}) is past twice its SLA of {days} business days: escalated again",
		"type.dispute":                  "dispute",
		"type.credit_limit_request":     "credit limit request",
		"type.data_change_request":      "data change request",
		"type.customer_message":         "customer message",
		"type.claim_declaration":        "claim declaration",
		"type.":                         "case",
	},
	"fr": {
		"case_assigned":                 "Le dossier {case} ({type}, {customer}) vous est confié",
		"case_assigned.by":              "Le dossier {case} ({type}, {customer}) vous est confié par {actor} : {reason}",
		"mention":                       "{actor} vous a mentionné dans le dossier {case} ({customer})",
		"case_comment":                  "{actor} a commenté votre dossier {case} ({customer})",
		"case_comment.files":            "{actor} a joint {files} à votre dossier {case} ({customer})",
		"customer_reply":                "{actor} a répondu ({subject}) dans le dossier {case} ({customer})",
		"task_assigned":                 "Une tâche ({task}) sur {customer} vous est confiée",
		"webhook_failing":               "Le webhook {webhook} ({url}) ne livre plus : {reason}",
		"risk_alert":                    "Alerte de risque sur {customer} : {alert}",
		"alert.score_drop":              "le score de risque a baissé",
		"alert.rating_worse":            "la note s'est dégradée",
		"alert.limit_below_outstanding": "la limite recommandée est inférieure à l'encours",
		"alert.legal_status":            "la situation juridique a changé",
		"alert.insolvency":              "procédure collective : relances arrêtées",
		"alert.limit_use":               "l'utilisation de la limite de crédit a franchi un seuil",
		"task.call":                     "appel",
		"task.manual_email":             "e-mail à écrire",
		"task.escalation":               "escalade",
		"task.purchase_order":           "bon de commande",
		"task.payment_plan":             "échéancier",
		"task.fix_contact":              "contact à corriger",
		"task.check_payment":            "paiement à vérifier",
		"task.case":                     "suivi de dossier",
		"sla_reminder":                  "Dossier {case} ({type}, {customer}) : la moitié de son délai de {days} jours ouvrés est écoulée",
		"sla_escalation":                "Le dossier {case} ({type}, {customer}) a dépassé son délai de {days} jours ouvrés : escaladé",
		"sla_escalation.again":          "Le dossier {case} ({type}, {customer}) a dépassé deux fois son délai de {days} jours ouvrés : escaladé à nouveau",
		"type.dispute":                  "litige",
		"type.credit_limit_request":     "demande de limite de crédit",
		"type.data_change_request":      "demande de modification de données",
		"type.customer_message":         "message du client",
		"type.claim_declaration":        "déclaration de créance",
		"type.":                         "dossier",
	},
}

// Notification is a notification as its reader sees it: its text rendered in
// their language.
type Notification struct {
	store.Notification
	Text string
}

// NotificationText is n's text in lang (a language without notifications:
// the first of NotificationLanguages). A row written before notifications had
// parameters shows the text it was stored with.
func NotificationText(lang string, n store.Notification) string {
	if n.Fallback != "" {
		return n.Fallback
	}
	texts, ok := notificationTexts[lang]
	if !ok {
		texts = notificationTexts[NotificationLanguages[0]]
	}
	key := string(n.Kind)
	switch {
	case n.Kind == store.NotifyCaseAssigned && n.Params.Actor != "":
		key += ".by"
	case n.Kind == store.NotifySLAEscalation && n.Params.Level >= store.AlertTwice:
		key += ".again"
	case n.Kind == store.NotifyCaseComment && n.Params.Files != "":
		key += ".files"
	}
	text, ok := texts[key]
	if !ok {
		return string(n.Kind)
	}
	var caseID string
	if n.CaseID != nil {
		caseID = strconv.FormatInt(*n.CaseID, 10)
	}
	typ, ok := texts["type."+n.Params.CaseType]
	if !ok {
		typ = n.Params.CaseType
	}
	alert, ok := texts["alert."+n.Params.Alert]
	if !ok {
		alert = n.Params.Alert
	}
	task, ok := texts["task."+n.Params.Task]
	if !ok {
		task = n.Params.Task
	}
	return strings.NewReplacer("{case}", caseID, "{type}", typ, "{customer}", n.Params.Customer, "{actor}", n.Params.Actor,
		"{reason}", n.Params.Reason, "{days}", strconv.Itoa(n.Params.SLADays), "{files}", n.Params.Files, "{subject}", n.Params.Subject, "{task}", task,
		"{webhook}", strconv.FormatInt(n.Params.WebhookID, 10), "{url}", n.Params.URL, "{alert}", alert).Replace(text)
}

func renderNotifications(lang string, list []store.Notification) []Notification {
	out := make([]Notification, len(list))
	for i, n := range list {
		out[i] = Notification{Notification: n, Text: NotificationText(lang, n)}
	}
	return out
}

var notificationMatcher = func() language.Matcher {
	tags := make([]language.Tag, len(NotificationLanguages))
	for i, l := range NotificationLanguages {
		tags[i] = language.Make(l)
	}
	return language.NewMatcher(tags)
}()

// NotificationLanguage is the language a caller reads notifications in: the
// one they chose in their profile when notifications speak it, else the best
// match of their Accept-Language, else the first of NotificationLanguages
// (the web app chooses its page language the same way).
func NotificationLanguage(saved, acceptLanguage string) string {
	if slices.Contains(NotificationLanguages, saved) {
		return saved
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, conf := notificationMatcher.Match(tags...)
	if conf == language.No {
		return NotificationLanguages[0]
	}
	return NotificationLanguages[i]
}
