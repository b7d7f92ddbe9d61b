#!/usr/bin/env bash
# The CI-engine examples in contrib/ci, checked as far as Debian can:
#  - every YAML file with yamllint (.ci/yamllint.yaml);
#  - LAVA with LAVA's own schemas (Debian's lava-common): the job, the test
#    definition, and the device dictionary rendered with the docker device
#    type template of Debian's lava-server package (downloaded, not
#    installed) and validated as a device configuration;
#  - GitLab CI and GitHub Actions: Debian packages no schema for either
#    (nor actionlint), so a structural check of the keys the examples rely on;
#  - the shell scripts with shellcheck;
#  - minivmm-lava-results against JUnit from minivmm's own KTAP parser and
#    JUnit writer (src/runner), with a stand-in lava-test-case.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ci_need yamllint shellcheck lava-common python3-yaml python3-jinja2 gcc
# Debian's python, which has the Debian packages' modules (not a pyenv one).
py=/usr/bin/python3
ex=$CI_TOP/contrib/ci
work=$(mktemp -d /tmp/minivmm-examples.XXXXXX)
trap 'rm -rf "$work"' EXIT

ci_log "== yamllint"
yamllint -c "$CI_DIR/yamllint.yaml" -f parsable "$ex" "$CI_DIR/yamllint.yaml" || ci_die "yamllint found problems"

ci_log "== LAVA job and test definition (lava_common.schemas)"
"$py" - "$ex/lava/job-docker.yaml" "$ex/lava/minivmm-test.yaml" <<'PY' || ci_die "LAVA schema check failed"
import sys, yaml
from lava_common.schemas import validate as validate_job
from lava_common.schemas.test.testdef import validate as validate_testdef
job = yaml.safe_load(open(sys.argv[1]))
validate_job(job, strict=True)
testdef = yaml.safe_load(open(sys.argv[2]))
validate_testdef(testdef)
# The job's parameters are params the test definition has.
for d in job['actions'][2]['test']['definitions']:
    extra = set(d.get('parameters', {})) - set(testdef['params'])
    assert not extra, 'job parameters the test definition does not know: %s' % extra
print('examples: LAVA job and test definition valid', file=sys.stderr)
PY

ci_log "== LAVA device dictionary (rendered with lava-server's docker.jinja2)"
templates=$CI_CACHE/lava-server-device-types
if [[ ! -f $templates/docker.jinja2 ]]; then
	(cd "$work" && apt-get download lava-server >/dev/null 2>&1) || ci_die "apt-get download lava-server failed"
	dpkg-deb -x "$work"/lava-server_*.deb "$work/lava-server"
	mkdir -p "$templates"
	cp "$work/lava-server/usr/share/lava-server/device-types/"{base,docker}.jinja2 "$templates/"
fi
"$py" - "$ex/lava" "$templates" <<'PY' || ci_die "the LAVA device dictionary does not render to a valid device"
import sys, yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from lava_common.schemas.device import validate
env = SandboxedEnvironment(loader=FileSystemLoader(sys.argv[1:]), trim_blocks=True, autoescape=False)
device = yaml.safe_load(env.get_template('device-dictionary.jinja2').render())
validate(device)
opts = device['actions']['boot']['methods']['docker']['options']
assert {'/dev/kvm', '/dev/vfio/vfio'} <= set(opts['devices']), opts['devices']
assert any(d.startswith('/dev/vfio/') and d[10:].isdigit() for d in opts['devices']), 'no IOMMU group device'
assert any(a.startswith('--env MINIVMM_BDF=') for a in opts['extra_arguments']), 'no MINIVMM_BDF'
print('examples: LAVA device dictionary renders: devices %s, extra arguments %s'
      % (opts['devices'], opts['extra_arguments']), file=sys.stderr)
PY

ci_log "== GitLab CI and GitHub Actions (structure; Debian packages no schema)"
"$py" - "$ex/gitlab/gitlab-ci.yml" "$ex/github/minivmm.yml" <<'PY' || ci_die "a CI example lacks what it needs"
import sys, yaml
gl = yaml.safe_load(open(sys.argv[1]))
jobs = {k: v for k, v in gl.items() if isinstance(v, dict) and 'script' in v}
assert jobs, 'GitLab: no job with a script'
for name, j in jobs.items():
    assert j.get('stage') in gl.get('stages', ['test']), '%s: unknown stage' % name
    assert isinstance(j['script'], list) and all(isinstance(s, str) for s in j['script']), name
    assert j['artifacts']['reports']['junit'], '%s: no JUnit report' % name
    assert j['artifacts'].get('when') == 'always', '%s: JUnit lost when the job fails' % name
    assert any('--junit' in s for s in j['script']), '%s: minivmm writes no JUnit' % name
gh = yaml.safe_load(open(sys.argv[2]))
assert 'on' in gh and gh['jobs'], 'GitHub: no trigger or no jobs'
for name, j in gh['jobs'].items():
    assert 'self-hosted' in j['runs-on'], '%s: minivmm needs the test host (self-hosted)' % name
    for s in j['steps']:
        assert ('uses' in s) != ('run' in s), '%s: a step needs exactly one of uses/run: %s' % (name, s)
    up = [s for s in j['steps'] if s.get('uses', '').startswith('actions/upload-artifact@')]
    assert up and up[0].get('if') == 'always()', '%s: no JUnit upload that runs on failure' % name
print('examples: GitLab CI and GitHub Actions examples have their jobs, JUnit reports and uploads',
      file=sys.stderr)
PY

ci_log "== shellcheck"
shellcheck "$ex/lava/run-minivmm.sh" "$CI_DIR"/*.sh || ci_die "shellcheck found problems"

ci_log "== minivmm-lava-results on JUnit from minivmm's KTAP parser and writer"
cat >"$work/ktap2junit.c" <<'C'
/* KTAP lines on stdin -> minivmm's JUnit on stdout, with src/runner's parser and writer. */
#include <stdio.h>
#include <string.h>
#include "minivmm/runner/ktap.h"
int main(void)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	char line[4096];

	if (!p)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		ktap_feed(p, line);
	}
	ktap_finish(p);
	return junit_write(stdout, p, "minivmm", 1.5) ? 1 : 0;
}
C
gcc -std=gnu11 -Wall -Wextra -Werror -I"$CI_TOP/include" -o "$work/ktap2junit" "$work/ktap2junit.c" \
	"$CI_TOP/src/runner/ktap.c" "$CI_TOP/src/runner/ktap_line.c" "$CI_TOP/src/runner/junit.c" -lm ||
	ci_die "cannot build the KTAP-to-JUnit driver"
cat >"$work/run.ktap" <<'K'
KTAP version 1
1..4
    KTAP version 1
    1..2
    ok 1 link up
    not ok 2 irq count
ok 1 e1000e # a block with a failed subtest
ok 2 ping 3 packets
ok 3 ethtool selftest # SKIP no ethtool
not ok 4 ping
K
"$work/ktap2junit" <"$work/run.ktap" >"$work/junit.xml" || ci_die "the KTAP-to-JUnit driver failed"
mkdir "$work/bin"
# A stand-in for LAVA's lava-test-case: records its arguments.
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$work/calls" >"$work/bin/lava-test-case"
chmod +x "$work/bin/lava-test-case"
PATH=$work/bin:$PATH "$py" "$ex/lava/minivmm-lava-results" --junit "$work/junit.xml" --status 1 ||
	ci_die "minivmm-lava-results failed"
cat >"$work/expected" <<'E'
e1000e.link_up --result pass
e1000e.irq_count --result fail
minivmm.e1000e --result fail
minivmm.ping_3_packets --result pass
minivmm.ethtool_selftest --result skip
minivmm.ping --result fail
minivmm-status --result fail --measurement 1 --units status
E
# The order of the parents beside the leaves is the writer's; compare as sets.
diff <(sort "$work/expected") <(sort "$work/calls") >&2 ||
	{ cat "$work/junit.xml" >&2; ci_die "minivmm-lava-results reported other cases than the JUnit has"; }
# No JUnit (minivmm stopped early): the "tests:" line of its stderr.
rm -f "$work/calls"
printf 'minivmm: error: timed out after 600 s (--timeout)\nminivmm: tests: 5 passed, 2 failed, 1 skipped\n' >"$work/err"
PATH=$work/bin:$PATH "$py" "$ex/lava/minivmm-lava-results" --junit "$work/none.xml" --stderr "$work/err" \
	--status 124 2>/dev/null || ci_die "minivmm-lava-results failed on the tests: line"
cat >"$work/expected" <<'E'
minivmm-tests-passed --result pass --measurement 5 --units tests
minivmm-tests-failed --result fail --measurement 2 --units tests
minivmm-tests-skipped --result pass --measurement 1 --units tests
minivmm-status --result fail --measurement 124 --units status
E
diff "$work/expected" "$work/calls" >&2 || ci_die "minivmm-lava-results misread the tests: line"
ci_log "minivmm-lava-results: $(wc -l <"$work/expected") + 7 cases as expected"

ci_log "the CI-engine examples pass their checks"
