// Run by maven-invoker-plugin after the examples' build: every example ran, and none was skipped
// where a run must use real parts (ISCSILAB_REQUIRE_EXTERNAL=1: a container engine and the image).
def reports = new File(basedir, 'target/surefire-reports')
def suites = [:]
reports.eachFileMatch(~/TEST-.*\.xml/) { f ->
    def head = (f.text =~ /<testsuite [^>]*>/)[0]
    def attr = { name -> (head =~ /\s${name}="([^"]*)"/)[0][1] }
    suites[attr('name')] = [tests: attr('tests') as int, skipped: attr('skipped') as int]
}
def expected = ['MediumErrorExampleTest', 'FrozenTargetExampleTest', 'ResizeExampleTest',
                'ChapExampleTest', 'ContainerExampleTest', 'ExamplesUseTheTypedApiTest']
        .collect { 'org.iscsilab.examples.' + it }
def missing = expected - suites.keySet()
assert missing.isEmpty() : "examples that did not run: ${missing}"
if (System.getenv('ISCSILAB_REQUIRE_EXTERNAL') == '1') {
    def skipped = suites.findAll { it.value.skipped > 0 }.keySet()
    assert skipped.isEmpty() : "ISCSILAB_REQUIRE_EXTERNAL=1 but examples were skipped: ${skipped}"
}
suites.each { name, s -> println "example ${name - 'org.iscsilab.examples.'}: ${s.tests} tests, ${s.skipped} skipped" }
return true
