package main

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
)

// uidPlaceholder stands for request.uid in a review template.
const uidPlaceholder = "kube4c-admission-load-uid-placeholder"

// reviewTemplate is an AdmissionReview marshalled once, cut where its
// request.uid goes: a request body is head, a uid and tail, so giving every
// request its own uid costs no JSON encoding.
type reviewTemplate struct {
	head, tail []byte
}

// newReviewTemplate parses an AdmissionReview v1 with a request.
func newReviewTemplate(raw []byte) (reviewTemplate, error) {
	var review admissionv1.AdmissionReview
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&review); err != nil {
		return reviewTemplate{}, fmt.Errorf("review: %w", err)
	}
	if err := checkTypeMeta(&review); err != nil {
		return reviewTemplate{}, fmt.Errorf("review: %w", err)
	}
	if review.Request == nil {
		return reviewTemplate{}, errors.New("review: no request")
	}
	review.Response = nil
	review.Request.UID = uidPlaceholder
	body, err := json.Marshal(&review)
	if err != nil {
		return reviewTemplate{}, err
	}
	if n := bytes.Count(body, []byte(uidPlaceholder)); n != 1 {
		return reviewTemplate{}, fmt.Errorf("review: the uid placeholder %q occurs %d times", uidPlaceholder, n)
	}
	i := bytes.Index(body, []byte(uidPlaceholder))
	return reviewTemplate{head: body[:i], tail: body[i+len(uidPlaceholder):]}, nil
}

// body is the review with this request.uid, which needs no JSON escaping.
func (t reviewTemplate) body(uid string) []byte {
	b := make([]byte, 0, len(t.head)+len(uid)+len(t.tail))
	b = append(b, t.head...)
	b = append(b, uid...)
	return append(b, t.tail...)
}

// uidSource makes a distinct request uid per sequence number: a random
// prefix per run and the number, in the form of a UUID.
type uidSource struct {
	prefix string
}

func newUIDSource() uidSource {
	var r [10]byte
	_, _ = rand.Read(r[:]) // never fails (crypto/rand)
	return uidSource{prefix: fmt.Sprintf("%08x-%04x-4%03x-%04x",
		binary.BigEndian.Uint32(r[0:4]),
		binary.BigEndian.Uint16(r[4:6]),
		binary.BigEndian.Uint16(r[6:8])&0x0fff,
		0x8000|binary.BigEndian.Uint16(r[8:10])&0x3fff)}
}

func (s uidSource) uid(seq int) string {
	return fmt.Sprintf("%s-%012x", s.prefix, seq)
}

// checkAnswer validates one answer to the review with this uid and tells
// whether it allowed the request.
func checkAnswer(status int, body []byte, uid string) (allowed bool, err error) {
	if status != 200 {
		return false, fmt.Errorf("HTTP %d: %s", status, snippet(body))
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil {
		return false, fmt.Errorf("answer is no AdmissionReview: %v: %s", err, snippet(body))
	}
	if err := checkTypeMeta(&review); err != nil {
		return false, fmt.Errorf("answer: %w", err)
	}
	if review.Response == nil {
		return false, errors.New("answer has no response")
	}
	if got := string(review.Response.UID); got != uid {
		return false, fmt.Errorf("answer has response.uid %q, want %q", got, uid)
	}
	return review.Response.Allowed, nil
}

func checkTypeMeta(review *admissionv1.AdmissionReview) error {
	want := admissionv1.SchemeGroupVersion.String()
	if review.APIVersion != want || review.Kind != "AdmissionReview" {
		return fmt.Errorf("apiVersion %q, kind %q: want %s AdmissionReview", review.APIVersion, review.Kind, want)
	}
	return nil
}

// snippet is the start of a body, for an error message.
func snippet(body []byte) string {
	const most = 200
	if len(body) > most {
		return fmt.Sprintf("%q...", body[:most])
	}
	return fmt.Sprintf("%q", body)
}
