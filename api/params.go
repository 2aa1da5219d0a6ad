package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"recoup/domain"
)

// queryParams rejects parameters a route does not know, so a typo in a filter
// is an error and not a silently unfiltered list.
func queryParams(c *gin.Context, known ...string) error {
	for name := range c.Request.URL.Query() {
		ok := false
		for _, k := range known {
			ok = ok || k == name
		}
		if !ok {
			return domain.FieldError(name, "unknown query parameter (known: %v)", known)
		}
	}
	return nil
}

func page(c *gin.Context) (domain.Page, error) {
	return domain.ParsePage(c.Query("limit"), c.Query("offset"))
}

// resourceID reads the {id} of a route that takes no query parameters.
func resourceID(c *gin.Context) (int64, error) {
	if err := queryParams(c); err != nil {
		return 0, err
	}
	return pathID(c, "id")
}

func pathID(c *gin.Context, name string) (int64, error) {
	v := c.Param(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, domain.FieldError(name, "%q: want a positive integer id", v)
	}
	return id, nil
}

func optionalBool(c *gin.Context, name string) (*bool, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, domain.FieldError(name, "%q: want true or false", v)
	}
	return &b, nil
}

func optionalID(c *gin.Context, name string) (*int64, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return nil, domain.FieldError(name, "%q: want a positive integer id", v)
	}
	return &id, nil
}
