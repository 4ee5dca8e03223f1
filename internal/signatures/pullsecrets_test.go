package signatures

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPullSecretKeychain(t *testing.T) {
	secret := func(name string, typ corev1.SecretType, key, data string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name}, Type: typ, Data: map[string][]byte{key: []byte(data)}}
	}
	k, err := PullSecretKeychain([]*corev1.Secret{
		secret("json", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey,
			`{"auths": {"https://registry.example.com:5000/v2/": {"auth": "YWxpY2U6czNjcmV0"}}, "credsStore": "evil", "credHelpers": {"hub.example.com": "evil"}}`),
		secret("legacy", corev1.SecretTypeDockercfg, corev1.DockerConfigKey, `{"https://index.docker.io/v1/": {"username": "bob", "password": "pw"}}`),
		secret("opaque", corev1.SecretTypeOpaque, "x", "y"),
		secret("broken", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, `{"auths": `),
	})
	if err == nil || err.Error() != `pull secrets shop/opaque: type Opaque is not a pull secret; shop/broken: unexpected EOF` {
		t.Errorf("error %v, want the opaque and broken secrets named", err)
	}
	for ref, want := range map[string]authn.AuthConfig{
		"registry.example.com:5000/team/app:1": {Username: "alice", Password: "s3cret"},
		"nginx:1.27":                           {Username: "bob", Password: "pw"},
		"hub.example.com/app:1":                {},
	} {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := k.Resolve(r.Context())
		if err != nil {
			t.Fatal(err)
		}
		got, err := auth.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if got.Username != want.Username || got.Password != want.Password {
			t.Errorf("%s: got %+v, want %+v", ref, got, want)
		}
	}
}
