# The two commands of the README, and the parts of the test run.
.PHONY: demo test bench reliability setup lock pytest units molecule lint sanity oldest clean

demo:  ## the main job: the pre-change backup check against the embedded emulator, passing then blocked
	scripts/demo.sh

test:  ## every test: ansible-test units, pytest integration tests, molecule, ansible-lint, ansible-test sanity
	scripts/test.sh

bench:  ## benchmark: modules vs an ansible.builtin.uri loop vs the lower bound, 20 ms latency, 10k and 100k jobs
	eval "$$(scripts/setup.sh)" && python scripts/bench.py

reliability:  ## fault matrix, bad-input matrix and secrets sweep against the emulator, with figures
	eval "$$(scripts/setup.sh)" && python scripts/reliability.py

setup:
	scripts/setup.sh >/dev/null

lock:  ## refresh test-constraints.txt and test-constraints-oldest.txt from the newest releases the requirements allow
	scripts/lock.sh

pytest: setup
	eval "$$(scripts/setup.sh)" && python -m pytest -p no:cacheprovider -n 2 tests/unit tests/integration

units: setup
	eval "$$(scripts/setup.sh)" && scripts/ansible-test.sh units

molecule: setup
	eval "$$(scripts/setup.sh)" && molecule test --all

lint: setup
	eval "$$(scripts/setup.sh)" && ansible-lint --offline --profile production

sanity: setup
	eval "$$(scripts/setup.sh)" && scripts/ansible-test.sh sanity

oldest:  ## the unit tests and the gate's playbook tests on the oldest supported ansible-core
	scripts/test-oldest.sh

clean:
	rm -rf .build .venv .venv-oldest
