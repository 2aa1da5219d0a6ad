package web

import (
	"strconv"
	"strings"

	"recoup/api"
	"recoup/store"
)

// caseFiles are a case's attachments as its page shows them: under the
// comment they came with, or (sent alone) in a list of their own.
type caseFiles struct {
	ByComment map[int64][]store.CaseAttachment
	Alone     []store.CaseAttachment
}

func groupFiles(list []store.CaseAttachment) caseFiles {
	f := caseFiles{ByComment: map[int64][]store.CaseAttachment{}}
	for _, at := range list {
		if at.CommentID == nil {
			f.Alone = append(f.Alone, at)
			continue
		}
		f.ByComment[*at.CommentID] = append(f.ByComment[*at.CommentID], at)
	}
	return f
}

// FileURL is where a file is downloaded: the API's download, which the
// session cookie opens (attachment, nosniff, sandboxed; never shown inline).
func (p *Page) FileURL(at store.CaseAttachment) string { return api.AttachmentURL(at.CaseID, at.ID) }

// Bytes is a file size for the page's language: bytes, KB or MB with one decimal.
func (p *Page) Bytes(n int64) string {
	unit, v := "size.bytes", float64(n)
	switch {
	case n >= 1<<20:
		unit, v = "size.mb", float64(n)/(1<<20)
	case n >= 1<<10:
		unit, v = "size.kb", float64(n)/(1<<10)
	default:
		return p.T(unit, strconv.FormatInt(n, 10))
	}
	s := strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", p.T("size.decimal_mark"), 1)
	return p.T(unit, s)
}
