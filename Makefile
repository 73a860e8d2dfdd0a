# The two commands of the README, and the parts of the test run.
.PHONY: demo test bench reliability setup pytest molecule lint sanity clean

demo:  ## the main job: recent backup jobs of all sources, against the embedded emulator
	scripts/demo.sh

test:  ## every test: pytest, molecule, ansible-lint, ansible-test sanity
	scripts/test.sh

bench:  ## benchmark: modules vs an ansible.builtin.uri loop vs the lower bound, 20 ms latency, 10k and 100k jobs
	eval "$$(scripts/setup.sh)" && python scripts/bench.py

reliability:  ## fault matrix, bad-input matrix and secrets sweep against the emulator, with figures
	eval "$$(scripts/setup.sh)" && python scripts/reliability.py

setup:
	scripts/setup.sh >/dev/null

pytest: setup
	eval "$$(scripts/setup.sh)" && python -m pytest -p no:cacheprovider tests/unit tests/integration

molecule: setup
	eval "$$(scripts/setup.sh)" && molecule test --all

lint: setup
	eval "$$(scripts/setup.sh)" && ansible-lint --offline --profile production

sanity: setup
	eval "$$(scripts/setup.sh)" && scripts/sanity.sh

clean:
	rm -rf .build .venv
