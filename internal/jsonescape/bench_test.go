package jsonescape

import "testing"

var sink []byte

func BenchmarkAppendStringMessage(b *testing.B) {
	msg := `container "app" runs with AppArmor Unconfined; use RuntimeDefault and set securityContext.appArmorProfile.type on the pod`
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		sink = AppendString(buf[:0], msg)
	}
}
