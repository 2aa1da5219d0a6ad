package web

import (
	"errors"
	"strconv"
	"strings"

	"recoup/domain"
)

// errorText is what a use case's error says, for a form's message.
func errorText(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return "internal error; it has been logged"
}

// fieldErrors is a form's errors by field, with the ones no field shows.
type fieldErrors struct {
	ByField map[string]string
	Summary []string
}

// add files a message under a field and in the summary.
func (fe *fieldErrors) add(field, msg string) {
	if fe.ByField == nil {
		fe.ByField = map[string]string{}
	}
	if _, seen := fe.ByField[field]; !seen {
		fe.ByField[field] = msg
	}
	fe.Summary = append(fe.Summary, msg)
}

// formError files a use case's invalid-input error under its field (the
// field names are the API's, which the forms use as input names).
func formError(err error) (fieldErrors, bool) {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid {
		return fieldErrors{}, false
	}
	fe := fieldErrors{ByField: map[string]string{}}
	for _, part := range strings.Split(de.Message, "; ") {
		field, _, _ := strings.Cut(part, ": ")
		if _, seen := fe.ByField[field]; !seen {
			fe.ByField[field] = part
		}
		fe.Summary = append(fe.Summary, part)
	}
	return fe, true
}

// pathID reads a positive integer id from the route.
func pathID(r *request, name string) (int64, error) {
	v := r.c.Param(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, domain.Errorf(domain.CodeNotFound, "no such page")
	}
	return id, nil
}

// queryPage reads ?page=N (from 1) into a page of size rows.
func queryPage(r *request, size int) domain.Page { return pageOf(r.c.Query("page"), size) }

// pageOf reads a page number (from 1; anything else is the first page).
func pageOf(v string, size int) domain.Page {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > domain.MaxOffset/size {
		n = 1
	}
	return domain.Page{Limit: size, Offset: (n - 1) * size}
}

// formIDs reads the ids a form's checkboxes sent; nil when one is not an id.
func formIDs(vs []string) []int64 {
	var ids []int64
	for _, v := range vs {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil
		}
		ids = append(ids, id)
	}
	return ids
}
