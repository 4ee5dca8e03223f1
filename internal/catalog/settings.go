package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
)

// settingsOf decodes the running check's settings into out. It reports
// false when no settings are configured (out is then left as is) or when
// they cannot be decoded; the config is validated before a scan, so the
// latter does not happen in practice.
func settingsOf(ctx *check.Context, id string, out any) bool {
	if ctx.Settings == nil {
		return false
	}
	return ctx.Settings.Decode(id, out) == nil
}
