package notify

import (
	"encoding/xml"
	"strings"
)

// sayLanguages maps a language, or a language-REGION pair, to the language value of Twilio's
// <Say>. A bare language maps to its most common locale.
var sayLanguages = map[string]string{
	"ar": "arb", // Twilio's (Amazon Polly's) code for Modern Standard Arabic
	"ca": "ca-ES",
	"cy": "cy-GB",
	"da": "da-DK",
	"de": "de-DE", "de-AT": "de-AT",
	"en": "en-US", "en-US": "en-US", "en-GB": "en-GB", "en-AU": "en-AU", "en-CA": "en-CA", "en-IN": "en-IN",
	"en-IE": "en-IE", "en-NZ": "en-NZ", "en-ZA": "en-ZA", "en-UK": "en-GB",
	"es": "es-ES", "es-MX": "es-MX", "es-US": "es-US",
	"fi": "fi-FI",
	"fr": "fr-FR", "fr-CA": "fr-CA",
	"hi": "hi-IN",
	"is": "is-IS",
	"it": "it-IT",
	"ja": "ja-JP",
	"ko": "ko-KR",
	"nb": "nb-NO", "no": "nb-NO", "nn": "nb-NO",
	"nl": "nl-NL", "nl-BE": "nl-BE",
	"pl": "pl-PL",
	// The shipped Portuguese templates are European Portuguese (and Render
	// passes the base language only): a bare "pt" is spoken by a pt-PT voice.
	"pt": "pt-PT", "pt-BR": "pt-BR", "pt-PT": "pt-PT",
	"ro": "ro-RO",
	"ru": "ru-RU",
	"sv": "sv-SE",
	"tr": "tr-TR",
	"zh": "zh-CN", "zh-CN": "zh-CN", "zh-HK": "zh-HK", "zh-TW": "zh-TW", "zh-HANS": "zh-CN", "zh-HANT": "zh-TW",
}

// defaultSayLanguage is used for languages Twilio cannot speak.
const defaultSayLanguage = "en-US"

// SayLanguage maps a customer's language (a BCP 47 tag such as "fr", "de-CH" or "pt_BR") to
// the language attribute of Twilio's <Say>. A region Twilio has no voice for falls back to
// the language's main locale ("de-CH" → "de-DE"). ok is false when Twilio cannot speak the
// language at all; the result is then en-US, and the caller should rather call with an
// English text (or not call).
func SayLanguage(language string) (sayLanguage string, ok bool) {
	parts := strings.FieldsFunc(language, func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 0 {
		return defaultSayLanguage, false
	}
	base := strings.ToLower(parts[0])
	for _, sub := range parts[1:] {
		// Try base-REGION and base-SCRIPT (zh-Hant); skip variants and extensions.
		if l, found := sayLanguages[base+"-"+strings.ToUpper(sub)]; found {
			return l, true
		}
	}
	if l, found := sayLanguages[base]; found {
		return l, true
	}
	return defaultSayLanguage, false
}

// SayTwiML returns TwiML that speaks text in language and hangs up:
//
//	<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR">…</Say></Response>
//
// text is XML-escaped, so amounts like "<100 €" or "A & B" are spoken as written. The
// language is mapped with SayLanguage; which voice speaks each language is set in the
// Twilio console (Voice › Settings › Text-to-speech), so no voice attribute is written.
func SayTwiML(text, language string) string {
	lang, _ := SayLanguage(language)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response><Say language="`)
	b.WriteString(lang) // from our table: needs no escaping
	b.WriteString(`">`)
	// EscapeText also replaces characters XML cannot carry, which would break the document.
	_ = xml.EscapeText(&b, []byte(text))
	b.WriteString(`</Say></Response>`)
	return b.String()
}
