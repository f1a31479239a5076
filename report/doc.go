// Package report renders a drift.Report for people (Console, HTML, and
// Markdown for pull-request comments) and for machines (JSON, SARIF for
// code scanning, JUnit XML for CI test reports). Formats lists them as
// `driftctl scan -o` names them, and Render writes any of them.
//
// # JSON report, schema version 1
//
// JSON writes one object. Its schema is public: fields are only added
// within a version; removing or changing the meaning of one bumps
// "schema_version".
//
//	{
//	  "schema_version": 1,
//	  "stack": "prod",                  // "" when the scan names no stack
//	  "commit": {                       // null when the desired state is not from Git
//	    "sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
//	    "ref": "refs/heads/main",
//	    "author": "Ada Lovelace",
//	    "email": "ada@example.com",
//	    "time": "2024-05-01T09:30:00Z", // RFC 3339, UTC; null when unknown
//	    "message": "Open HTTPS to the world",
//	    "dirty": false,                 // true: a local working tree differs from the commit
//	    "repository": "https://git.example.com/acme/infra.git", // without credentials
//	    "path": "envs/prod"             // the stack's directory in the repository
//	  },
//	  "started_at": "2024-05-01T10:00:00Z", // RFC 3339, UTC; null when unknown
//	  "duration_seconds": 12.345,
//	  "summary": {
//	    "total": 12, "in_sync": 8, "drifted": 1, "missing": 1,
//	    "unmanaged": 1, "ignored": 0, "unknown": 1,
//	    "coverage": 0.8333              // checked managed / total = (total - unmanaged - unknown) / total, 0..1; 1 when empty;
//	                                    // unknown resources (read failed) lower it: every read failed gives 0
//	  },
//	  "resources": [                    // every result, in sync ones included
//	    {
//	      "address": "aws_security_group.web", // Terraform address; null for unmanaged
//	      "type": "aws_security_group",
//	      "id": "sg-0123",                // the cloud's ID; "" when unknown
//	      "provider": "aws",
//	      "region": "us-east-1",
//	      "status": "drifted",            // drifted, missing, unmanaged, unknown, ignored, in_sync
//	      "reason": "...",                // why unknown or ignored; absent when empty
//	      "diffs": [                      // always an array, empty unless drifted
//	        {
//	          "path": "tags.Env",         // attribute path
//	          "want": "prod",             // desired value; null: should be absent or empty
//	          "got": "dev",               // live value; null: absent
//	          "sensitive": false,         // true: want and got are masked as "(sensitive)"
//	          "file": "main.tf",          // where the attribute is written; null when
//	          "line": 12,                 // the configuration leaves it out
//	          "blame": {                  // who last wrote that line; null unless from Git
//	            "commit": "a1b2c3d4...",  // "" for a working tree line not committed yet
//	            "author": "Jane Doe", "email": "jane@example.com",
//	            "time": "2024-04-28T09:00:00Z"
//	          }
//	        }
//	      ]
//	    }
//	  ],
//	  "errors": [                       // always an array
//	    {"type": "aws_vpc", "region": "us-east-1", "operation": "ec2:DescribeVpcs", "message": "..."}
//	  ]
//	}
//
// Resources are sorted by status in the order above, then by address, type
// and ID. "want" and "got" are plain JSON values: null, strings, numbers,
// booleans, arrays (sets sorted by their JSON encoding) and objects. A
// sensitive value, at any depth, is the string "(sensitive)"; a value not
// known until apply is the string "(unknown)".
package report
