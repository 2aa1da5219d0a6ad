package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// NewAttachment is a file to attach to a case, already checked by the use
// case (app.ValidateAttachment): a safe name, an allowed sniffed type.
type NewAttachment struct {
	FileName    string
	ContentType string
	Content     []byte
}

// CaseAttachment is a file attached to a case, without its bytes.
type CaseAttachment struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	CommentID   *int64    `json:"comment_id"` // nil: attached without a comment
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

const (
	insertCaseAttachment = `
INSERT INTO case_attachments (case_id, comment_id, file_name, content_type, size_bytes, sha256, content, uploaded_by)
VALUES (@case, @comment, @name, @type, @size, @sha256, @content, @by)
RETURNING id, uploaded_at`
	caseAttachmentColumns = `id, case_id, comment_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at`
	listCaseAttachments   = `SELECT ` + caseAttachmentColumns + ` FROM case_attachments WHERE case_id = $1 ORDER BY id`
	getCaseAttachment     = `SELECT ` + caseAttachmentColumns + `, content FROM case_attachments WHERE case_id = $1 AND id = $2`
)

// CaseNote is what one post to a case's discussion adds: a comment (Body
// "": none) and files.
type CaseNote struct {
	Author   string
	Body     string
	Mentions []string
	Files    []NewAttachment
}

// AddedCaseNote is what AddCaseNote recorded.
type AddedCaseNote struct {
	Comment     *CaseComment // nil: files without a comment
	Attachments []CaseAttachment
}

// AddCaseNote records, in one transaction, a comment (as AddCaseComment
// does: mentions checked and notified, "case.comment" journaled) and the
// files attached to it, or files alone; the attachments are journaled
// "case.attach" (names, types, sizes, SHA-256) and, without a comment, the
// case's owner is notified as for one. Any refusal leaves nothing behind.
func (s *Store) AddCaseNote(ctx context.Context, caseID int64, n CaseNote) (AddedCaseNote, error) {
	var out AddedCaseNote
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		out = AddedCaseNote{}
		var commentID *int64
		if n.Body != "" {
			cm, err := addCaseComment(ctx, tx, caseID, n.Author, n.Body, n.Mentions)
			if err != nil {
				return err
			}
			out.Comment, commentID = &cm, &cm.ID
		}
		if len(n.Files) == 0 {
			return nil
		}
		var err error
		if out.Attachments, err = insertAttachments(ctx, tx, caseID, commentID, n.Author, n.Files); err != nil {
			return err
		}
		names := make([]string, len(out.Attachments))
		for i, at := range out.Attachments {
			names[i] = at.FileName
		}
		if commentID == nil {
			err := notifyCaseOwner(ctx, tx, caseID, n.Author, nil, strings.Join(names, ", "))
			if err != nil {
				return err
			}
		}
		return journalAttachments(ctx, tx, caseID, commentID, n.Author, out.Attachments)
	})
	if err != nil {
		return AddedCaseNote{}, err
	}
	return out, nil
}

func scanCaseAttachment(r pgx.Row, more ...any) (CaseAttachment, error) {
	var at CaseAttachment
	err := r.Scan(append([]any{&at.ID, &at.CaseID, &at.CommentID, &at.FileName, &at.ContentType, &at.Size, &at.SHA256,
		&at.UploadedBy, &at.UploadedAt}, more...)...)
	return at, err
}

// CaseAttachments lists a case's files, oldest first, without their bytes.
func (s *Store) CaseAttachments(ctx context.Context, caseID int64) ([]CaseAttachment, error) {
	rows, err := s.Pool.Query(ctx, listCaseAttachments, caseID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseAttachment, error) { return scanCaseAttachment(r) })
}

// CaseAttachment reads one file of a case and its bytes; a file of another
// case is not found.
func (s *Store) CaseAttachment(ctx context.Context, caseID, id int64) (CaseAttachment, []byte, error) {
	var content []byte
	at, err := scanCaseAttachment(s.Pool.QueryRow(ctx, getCaseAttachment, caseID, id), &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return at, nil, domain.Errorf(domain.CodeNotFound, "attachment %d of case %d not found", id, caseID)
	}
	return at, content, err
}

// insertAttachments stores files on a case inside tx (under a comment, or
// alone when commentID is nil); they were checked (app.ValidateAttachment).
func insertAttachments(ctx context.Context, tx pgx.Tx, caseID int64, commentID *int64, author string, files []NewAttachment) ([]CaseAttachment, error) {
	out := make([]CaseAttachment, 0, len(files))
	for _, f := range files {
		sum := sha256.Sum256(f.Content)
		at := CaseAttachment{CaseID: caseID, CommentID: commentID, FileName: f.FileName, ContentType: f.ContentType,
			Size: int64(len(f.Content)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: author}
		err := tx.QueryRow(ctx, insertCaseAttachment, pgx.NamedArgs{"case": caseID, "comment": commentID, "name": at.FileName,
			"type": at.ContentType, "size": at.Size, "sha256": at.SHA256, "content": f.Content, "by": author}).Scan(&at.ID, &at.UploadedAt)
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, nil
}

// journalAttachments journals "case.attach": the files' names, types, sizes and SHA-256.
func journalAttachments(ctx context.Context, tx pgx.Tx, caseID int64, commentID *int64, author string, files []CaseAttachment) error {
	after, _ := json.Marshal(map[string]any{"comment_id": commentID, "attachments": files})
	return journalCase(ctx, tx, caseID, 0, author, "case.attach", after)
}
