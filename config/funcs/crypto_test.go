package funcs

import "testing"

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
	}
	runFuncTests(t, tests)
}
