package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/dunning"
	"recoup/store"
	"recoup/store/storetest"
	"recoup/templates"
)

func TestCheckStepTemplatesKnowsDefaultsAndSavedTemplates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := New(&store.Store{Pool: storetest.NewPool(t)}, nil, nil)

	ok := []dunning.Step{
		{OffsetDays: 0, Channel: domain.ChannelEmail, Template: templates.ReminderDue},
		{OffsetDays: 7, Channel: domain.ChannelSMS, Template: templates.Reminder1},
		{OffsetDays: 30, Channel: domain.ChannelEscalation, AssigneeRole: "credit_manager"},
	}
	require.NoError(t, s.checkStepTemplates(ctx, ok))

	bad := []dunning.Step{
		{OffsetDays: 0, Channel: domain.ChannelEmail, Template: "final_notice"},
		{OffsetDays: 7, Channel: domain.ChannelSMS, Template: templates.Reminder1},
	}
	err := s.checkStepTemplates(ctx, bad)
	var de *domain.Error
	require.ErrorAs(t, err, &de)
	require.Equal(t, domain.CodeInvalid, de.Code)
	require.Equal(t, "steps[0].template", de.Field)
	require.Contains(t, de.Message, `no template "final_notice"`)

	// Saved only for SMS: known for SMS, not for email.
	_, err = s.store.PutTemplate(ctx, templates.Template{Name: "final_notice", Channel: domain.ChannelSMS, Language: "en", Text: "Pay now, {{.Customer.Name}}."}, "test")
	require.NoError(t, err)
	err = s.checkStepTemplates(ctx, bad)
	require.ErrorAs(t, err, &de)
	require.Equal(t, "steps[0].template", de.Field)
	require.Contains(t, de.Message, "has no email version (it has sms)")
	bad[0].Channel = domain.ChannelSMS
	require.NoError(t, s.checkStepTemplates(ctx, bad))

}
