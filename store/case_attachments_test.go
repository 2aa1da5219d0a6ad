package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
	"recoup/store/storetest"
)

func (b caseBundle) attachmentRows(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM case_attachments`).Scan(&n))
	return n
}

// A note is a comment with its files, or files alone: stored with their
// hash, journaled, the owner told; the bytes come back as they went in.
func TestCaseNotesKeepFilesUnderTheirComment(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	ctx := context.Background()
	owner := b.rows.User(t, storetest.User{Email: "owner@recoup.example", Role: domain.RoleDepartment})
	_, err := b.st.ReplaceCaseRouting(ctx, store.CaseRouting{
		Rules: []store.CaseRoutingRule{{Type: domain.CaseDispute, Department: domain.DepartmentLogistics, OwnerEmail: "owner@recoup.example"}},
	}, "admin@recoup.example")
	require.NoError(t, err)
	k := b.dispute(t, "delivery", store.NewCaseInvoice{InvoiceID: b.first})
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

	withComment, err := b.st.AddCaseNote(ctx, k.ID, store.CaseNote{Author: "alice@recoup.example", Body: "the signed delivery note",
		Files: []store.NewAttachment{{FileName: "note.pdf", ContentType: "application/pdf", Content: pdf},
			{FileName: "count.csv", ContentType: "text/csv", Content: []byte("pallet,count\nA,10\n")}}})
	require.NoError(t, err)
	require.NotNil(t, withComment.Comment)
	require.Len(t, withComment.Attachments, 2)
	for _, at := range withComment.Attachments {
		require.Equal(t, withComment.Comment.ID, *at.CommentID, "under their comment")
	}
	alone, err := b.st.AddCaseNote(ctx, k.ID, store.CaseNote{Author: "bob@recoup.example",
		Files: []store.NewAttachment{{FileName: "photo.txt", ContentType: "text/plain", Content: []byte("a photo's caption")}}})
	require.NoError(t, err)
	require.Nil(t, alone.Comment)
	require.Nil(t, alone.Attachments[0].CommentID)

	list, err := b.st.CaseAttachments(ctx, k.ID)
	require.NoError(t, err)
	require.Len(t, list, 3)
	require.Equal(t, []string{"note.pdf", "count.csv", "photo.txt"}, []string{list[0].FileName, list[1].FileName, list[2].FileName})
	at, content, err := b.st.CaseAttachment(ctx, k.ID, list[0].ID)
	require.NoError(t, err)
	require.Equal(t, pdf, content)
	sum := sha256.Sum256(pdf)
	require.Equal(t, hex.EncodeToString(sum[:]), at.SHA256)
	require.Equal(t, int64(len(pdf)), at.Size)
	require.Equal(t, "application/pdf", at.ContentType)

	other := b.dispute(t, "price", store.NewCaseInvoice{InvoiceID: b.second})
	_, _, err = b.st.CaseAttachment(ctx, other.ID, list[0].ID)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err), "a file is reached through its own case only")

	require.Equal(t, []string{"case.open", "case.comment", "case.attach", "case.attach"}, b.journal(t, store.CaseTarget(k.ID)))
	require.Equal(t, []string{"case_assigned", "case_comment", "case_comment", "case_assigned"}, b.notifications(t, owner),
		"newest first: the owner hears of the comment and of the file sent alone, once each")
}

// A refused comment (an unknown mention) takes its files with it.
func TestARefusedNoteLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	b := caseSetup(t)
	ctx := context.Background()
	k := b.dispute(t, "delivery", store.NewCaseInvoice{InvoiceID: b.first})
	_, err := b.st.AddCaseNote(ctx, k.ID, store.CaseNote{Author: "alice@recoup.example", Body: "@ghost@recoup.example see", Mentions: []string{"ghost@recoup.example"},
		Files: []store.NewAttachment{{FileName: "a.txt", ContentType: "text/plain", Content: []byte("x")}}})
	require.Equal(t, domain.CodeInvalid, domain.ErrorCode(err))
	require.Zero(t, b.attachmentRows(t))
	require.Equal(t, []string{"case.open"}, b.journal(t, store.CaseTarget(k.ID)))
	comments, err := b.st.CaseComments(ctx, k.ID)
	require.NoError(t, err)
	require.Empty(t, comments)
}
