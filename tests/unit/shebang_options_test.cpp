// Options on a script's shebang line, which Linux passes as one argument.
#include "core/shebang_options.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;
using Args = std::vector<std::string>;

TEST_CASE("a shebang line's options are split into words") {
    test::ScratchDir dir;
    const auto script = dir.write("app.py", "#!/usr/local/bin/cpy2py-run --twin pypy=pypy3  --log-level info \nprint(1)\n").string();
    CHECK(split_shebang_options({"--twin pypy=pypy3  --log-level info", script, "x y"}) ==
          Args{"--twin", "pypy=pypy3", "--log-level", "info", script, "x y"});
    const auto tabs = dir.write("tabs.py", "#!  /opt/cpy2py-run\t-v --twin a=python3\r\n").string();
    CHECK(split_shebang_options({"-v --twin a=python3", tabs}) == Args{"-v", "--twin", "a=python3", tabs});
}

TEST_CASE("arguments that do not come from the script's shebang line stay as they are") {
    test::ScratchDir dir;
    const auto script = dir.write("app.py", "#!/usr/local/bin/cpy2py-run --twin pypy=pypy3\n").string();
    const auto plain = dir.write("plain.py", "print('no shebang')\n").string();
    // a value with a space typed at a shell, naming a script with another shebang line
    CHECK(split_shebang_options({"--twin=a=/opt/my python/bin/python3", script}) ==
          Args{"--twin=a=/opt/my python/bin/python3", script});
    CHECK(split_shebang_options({"--twin pypy=pypy3", plain}) == Args{"--twin pypy=pypy3", plain});
    CHECK(split_shebang_options({"--twin pypy=pypy3", dir.str() + "/missing.py"}) ==
          Args{"--twin pypy=pypy3", dir.str() + "/missing.py"});
    CHECK(split_shebang_options({"--check", script}) == Args{"--check", script});
    CHECK(split_shebang_options({"app with space.py"}) == Args{"app with space.py"});
    CHECK(split_shebang_options({}) == Args{});
}
