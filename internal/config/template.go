package config

// Template is the commented configuration `notarylint config init` writes:
// every key, with the defaults, commented out so that it changes nothing
// until edited. The JSON Schema in docs/notarylint.schema.json describes
// the same keys.
const Template = `# .notarylint.yaml: configuration of notarylint (https://github.com/notarylint/notarylint).
# notarylint looks for this file in the first input's directory and its parents, up to the
# repository root; --config FILE names another. Check it with: notarylint config verify
# Schema: docs/notarylint.schema.json

# rules:
#   # Run only these rules (IDs such as NL2001 or names such as macho-unsigned).
#   enable: []
#   # Do not run these rules.
#   disable: [legacy-slices]
#   # Change a rule's severity: error, warning or info.
#   severity:
#     macho-in-resources: error

# Findings to accept. Each entry needs a rule and a reason; path is a glob over finding paths
# ("*" within one path segment, "**" across segments), arch limits it to one architecture, and
# from the expires date on the entry no longer applies and is reported (ignore-expired).
# ignore:
#   - rule: hardened-runtime-missing
#     path: "MyApp.app/Contents/Helpers/**"
#     arch: x86_64
#     reason: the legacy helper is rebuilt in the next release
#     expires: 2027-01-31

# Limits on what opening archives, packages and disk images may cost (the defaults shown).
# limits:
#   max-depth: 8               # archives nested in archives
#   max-entries: 1048576       # entries of one archive
#   max-decompressed: 16GiB    # bytes inflated per input, in total
#   max-ratio: 1000            # uncompressed / compressed size of one entry
#   max-memory-file: 1GiB      # largest compressed entry held in memory for random access
`
