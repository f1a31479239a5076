package funcs

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/crypto/ssh"
)

func TestCryptoFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `md5("hi")`, want: str("49f68a5c8493ec2c0bf489821c21fc3b")},
		{expr: `sha1("hi")`, want: str("c22b5f9178342609428d6f51b2c5af4c0bde6a42")},
		{expr: `sha256("hi")`, want: str("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")},
		{expr: `sha512("hi")`, want: str("150a14ed5bea6cc731cf86c41566ac427a8db48ef1b9fd626664b3bfbb99071fa4c922f33dde38719b8c8354e2b7ab9d77e0e67fc12843920a712e73d558e197")},
		{expr: `base64sha256("hi")`, want: str("j0NDRmSPa5bfid2pAcUXaxCm2Dlh3TwayItZstwyeqQ=")},
		{expr: `base64sha512("hi")`, want: str("FQoU7VvqbMcxz4bEFWasQnqNtI7xuf1iZmSzv7uZBx+kySLzPd44cZuMg1Tit6udd+Dmf8EoQ5IKcS5z1Vjhlw==")},
		{expr: `uuidv5("dns", "example.com")`, want: str("cfbff0d1-9375-5685-968c-48ce8b15ae17")},
		{expr: `uuidv5("url", "https://example.com/")`, want: str("dd2c1780-811a-5296-81c5-178a0ef488bc")},
		{expr: `uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x")`, want: str("05b16a01-46c6-56dd-bd6e-c6dfb4a1427a")},
		{expr: `uuidv5("bogus", "x")`, wantErr: "uuidv5() doesn't support namespace bogus (invalid UUID length: 5)"},
		{expr: `filemd5("hello.txt")`, want: str("b1946ac92492d2347c6235b4d2611184")},
		{expr: `filesha1("hello.txt")`, want: str("f572d396fae9206628714fb2ce00f72e94f2258f")},
		{expr: `filesha256("hello.txt")`, want: str("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")},
		{expr: `filesha512("hello.txt")`, want: str("e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629")},
		{expr: `filebase64sha256("hello.txt")`, want: str("WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=")},
		{expr: `filebase64sha512("hello.txt")`, want: str("58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==")},
		// Terraform says "open missing.txt: no such file or directory";
		// driftctl names what it was doing first.
		{expr: `filemd5("missing.txt")`, wantErr: "reading file missing.txt: open "},
		// Unknown: bcrypt salts, so Terraform's result differs on every
		// run (console printed one of length 60, "$2a$04$" for cost 4,
		// "$2a$10$" for cost 3: below 4 is the default cost, 10).
		{expr: `bcrypt("x")`, want: cty.UnknownVal(cty.String)},
		{expr: `bcrypt("x", 4)`, want: cty.UnknownVal(cty.String)},
		{expr: `bcrypt("x", 3)`, want: cty.UnknownVal(cty.String)},
		{expr: `bcrypt("x", 32)`, wantErr: "error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31)"},
		{expr: `bcrypt("x", 1.5)`, wantErr: "value must be a whole number, between -9223372036854775808 and 9223372036854775807"},
		{expr: `bcrypt("x", 4, 5)`, wantErr: "bcrypt() takes no more than two arguments"},
		{expr: `bcrypt("x", "a")`, wantErr: "a number is required"},
		{expr: `bcrypt()`, wantErr: `Missing value for "str"`},
		{expr: `rsadecrypt("` + rsaCiphertext + `", file("rsa.pem"))`, want: str("secret message")},
		{expr: `rsadecrypt("!!", file("rsa.pem"))`, wantErr: `failed to decode input "!!": cipher text must be base64-encoded`},
		{expr: `rsadecrypt("aGk=", "not a key")`, wantErr: "invalid private key: ssh: no key found"},
		{expr: `rsadecrypt("aGk=", file("truncated.pem"))`, wantErr: "invalid ASN1 data in the given private key: data truncated"},
		{expr: `rsadecrypt("aGk=", file("notrsa.pem"))`, wantErr: "asn1: structure error: tags don't match (16 vs {class:1 tag:8 length:101 isCompound:true})"},
		// Terraform prints the key's numbers after "invalid private key
		// type" (a %t of the key); driftctl names its type.
		{expr: `rsadecrypt("aGk=", file("ed25519.pem"))`, wantErr: "invalid private key type ed25519.PrivateKey: an RSA key is required"},
		{expr: `rsadecrypt("aGk=", file("rsa.pem"))`, wantErr: "failed to decrypt: crypto/rsa: decryption error"},
	}
	runFuncTests(t, tests)
}

// rsaKey is a throwaway 1024-bit RSA key (openssl genrsa -traditional), and
// rsaCiphertext "secret message" encrypted to it with PKCS #1 v1.5
// (openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:pkcs1).
const (
	rsaKey = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQC+/Kl1Zjt/VVDMYlUjAp9s9JQ5AdI0e4jeU3xMBFJx97Hi+3Tb
VetGZFjpWhwFf6vLEyqznjr7YScD70W3RJ/0QYHxg+c8GDT2Zu3F7/qBlWW6B5Ra
9uC4hzp0ZrUgptVwrMXrnNwXP2djSar0yBLCct/X8nKrqIgY2M/IbUfRGwIDAQAB
AoGBAIq604kwsqVC3scn4nnk7NNjMcvbE8sFtRzx/cbmGNEqQHAFghPU7Gscdy1C
RDqGS87eZFVG6ccyAfosszJ1yc2L3eZaKYaeC80wk64hvEnS7LOLlWlnyqSWjJzP
xXtS+QcfM61Tf26Dh16GewIl1d3cnCGrpb+EIKnyiC4sA+b5AkEA8QWNGGgdTE53
GTujyYeRLBMl3utSfXNZsd4EMFnzcwr+INt0b8bQ1zSyTBPZofuIVhiZazr7uH3n
DpsiNKvN1QJBAMrbGeRAPGnElx/Jv3mA6DWeoESC004WyKyPbTnHtN2Y0pQIIB4P
NuSVDBDyWtz/nZsf7g3F808Irtg2raFhay8CQQCJ2z/5vstLMvIiJ5+mDHl3eThH
Cdgz0v9xoehJc5mwqo/yYTN3H4OiJAz7QLtRUBqKDCXsVF9YBgNbslXdRItFAkB3
1k/JY5lM8nJEuS6AXQLRClCrqI2kCBmst15TUAMtFebwxIwUtfA7wUFLkaDUBb3Z
slczk8lU21BPMp4IREDJAkEA0xJn5ycB2G6TgT/dsPD3yMTR64A2cBhKUT/OdUd7
ROg0kIUFbssssGZBRq58/TVO5om42slV/W2/1hQhkuc9Ew==
-----END RSA PRIVATE KEY-----
`
	rsaCiphertext = "sYIC3pUCHzE4TTDRCWQ+Ng96FN27TP8MBwtubdnIrr8QOFUUu3OPP3VAiClGyLjCh8Sp578RBjNU7CJxrvxPHCYCHeIR1D99L1FisqBYKeX5NSiayhbdB/LPS2sqNQdDGedDG5FhT1xegAxJnek3gMHqhukR32EhxTqJmEeVFG8="
	ed25519Key    = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGLA0Fh2M4n7ZMRK5tmkrJ4WDpzCdIg/OmTQnVV5yHY7
-----END PRIVATE KEY-----
`
)

// TestRSADecryptRoundTrip decrypts with rsadecrypt what crypto/rsa
// encrypted, the key in each PEM form Terraform reads.
func TestRSADecryptRoundTrip(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, &key.PublicKey, []byte("round trip ✓"))
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	openssh, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	forms := map[string]*pem.Block{
		"pkcs1.pem":   {Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)},
		"pkcs8.pem":   {Type: "PRIVATE KEY", Bytes: pkcs8},
		"openssh.pem": openssh,
	}
	for name, block := range forms {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	funcs := Table(dirFiles{dir}, Options{})
	for name := range forms {
		got, diags := eval(t, funcs, `rsadecrypt("`+base64.StdEncoding.EncodeToString(ct)+`", file("`+name+`"))`)
		if diags.HasErrors() || !got.RawEquals(str("round trip ✓")) {
			t.Errorf("%s: got %#v, %v", name, got, diags)
		}
	}
}
