// proxima inspect STUDY.toml: reads every input of a study and says what it found.

#include <iostream>

#include "cli_common.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima::cli {

void add_inspect_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("inspect", "Read a study's inputs and report what was found, matched and not placed");
    auto study_path = std::make_shared<std::string>();
    cmd->add_option("study", *study_path, "Study file (TOML), e.g. data/studies/riviera.toml")->required();
    cmd->callback([&context, &exit_code, study_path] {
        exit_code = guarded(context, [&] {
            const StudyFile study = load_study(*study_path);
            const StudyInputs inputs = load_study_inputs(study, context.log());
            std::cout << format_inspection(inputs);
        });
    });
}

} // namespace proxima::cli
