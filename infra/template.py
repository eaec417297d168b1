"""Read template.yaml, the one description of the infrastructure, and resolve what the local
stack needs from it: tables, functions and their handlers, the state machine and its ASL."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
STACK_NAME = "working-better"
REGION = "eu-west-2"
ACCOUNT = "123456789012"
# Parameters a deployment must give (template.yaml has no default for them) that the local
# engine gives itself: it serves plain HTTP on 127.0.0.1 (the local stack and the tests give
# their own address as an override).
# The service's phone number locally: one of Ofcom's numbers kept for drama, never a line.
LOCAL_PARAMETERS = {"PublicUrl": "http://127.0.0.1:8000", "ServicePhone": "020 7946 0000"}


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub ...) as plain dicts."""


def _tag(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _short in ("Ref", "GetAtt", "Sub", "If", "Equals", "Not", "And", "Or", "Join", "Select",
               "Split", "FindInMap", "ImportValue", "GetAZs", "Base64", "Condition"):
    _CfnLoader.add_constructor(f"!{_short}",
                               _tag("Ref" if _short == "Ref" else f"Fn::{_short}"))


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - safe
        return document


@dataclass
class LocalTemplate:
    """template.yaml with references resolved to the names the local stack gives things."""

    document: dict[str, Any]
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.document["Resources"])

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    def table_name(self, logical_id: str) -> str:
        return f"{STACK_NAME}-{logical_id}"

    def function_name(self, logical_id: str) -> str:
        declared = self.resources[logical_id]["Properties"].get("FunctionName")
        return str(self.resolve(declared)) if declared else f"{STACK_NAME}-{logical_id}"

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name(logical_id)}"

    def resolve(self, value: Any) -> Any:
        """Resolve Ref, GetAtt and Sub the way CloudFormation would, for local names."""
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                return self._get_att(arg[0], arg[1])
            if key == "Fn::Sub":
                return self._sub(arg)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::StackName": STACK_NAME, "AWS::Region": REGION,
                  "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"}
        if name in pseudo:
            return pseudo[name]
        if name in self.overrides:
            return self.overrides[name]
        parameters = self.document.get("Parameters", {})
        if name in parameters:
            if name in LOCAL_PARAMETERS:
                return LOCAL_PARAMETERS[name]
            if "Default" not in parameters[name]:
                raise KeyError(f"parameter {name} has no default: the local stack must give it")
            return str(parameters[name]["Default"])
        kind = self.resources[name]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return self.table_name(name)
        if kind == "AWS::Serverless::Function":
            return self.function_name(name)
        if kind == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK_NAME}-{name}"
        if kind == "AWS::SecretsManager::Secret":
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{STACK_NAME}-{name}"
        raise KeyError(f"the local stack cannot resolve Ref {name} ({kind})")

    def _get_att(self, name: str, attribute: str) -> str:
        kind = self.resources[name]["Type"]
        if kind == "AWS::Serverless::Function" and attribute == "Arn":
            return self.function_arn(name)
        if kind == "AWS::DynamoDB::Table" and attribute == "Arn":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self.table_name(name)}"
        raise KeyError(f"the local stack cannot resolve GetAtt {name}.{attribute}")

    def _sub(self, text: str) -> str:
        if "{{resolve:" in text:
            # Dynamic references (Secrets Manager) resolve from the local overrides instead.
            raise KeyError(text)

        def replace(match: re.Match[str]) -> str:
            ref = match.group(1)
            if "." in ref:
                name, attribute = ref.split(".", 1)
                return self._get_att(name, attribute)
            return self._ref(ref)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    # -- what the local stack builds ------------------------------------------------------

    def function_environment(self, local: dict[str, str | None]) -> dict[str, str]:
        """The Globals environment, resolved; `local` replaces values that only AWS can give
        (None drops a variable, e.g. a secret's ARN when the value is given directly)."""
        variables = self.document["Globals"]["Function"]["Environment"]["Variables"]
        env = {name: str(self.resolve(value)) for name, value in variables.items()
               if name not in local}
        env.update({name: value for name, value in local.items() if value is not None})
        return env

    def functions(self) -> dict[str, str]:
        """Logical id -> handler string, for every function."""
        return {name: r["Properties"]["Handler"]
                for name, r in self.of_type("AWS::Serverless::Function").items()}

    def schedules(self) -> dict[str, tuple[str, str]]:
        """Logical id -> (schedule expression, target function's logical id)."""
        result = {}
        for name, resource in self.of_type("AWS::Scheduler::Schedule").items():
            props = resource["Properties"]
            target = props["Target"]["Arn"]["Fn::GetAtt"][0]
            result[name] = (str(props["ScheduleExpression"]), str(target))
        return result

    def state_machine(self) -> tuple[str, str]:
        """The state machine's name and its ASL with DefinitionSubstitutions applied."""
        (_, machine), = self.of_type("AWS::Serverless::StateMachine").items()
        props = machine["Properties"]
        text = (ROOT / props["DefinitionUri"]).read_text()
        for key, value in props.get("DefinitionSubstitutions", {}).items():
            text = text.replace("${" + key + "}", str(self.resolve(value)))
        json.loads(text)  # fail here, not in moto, if a substitution broke the JSON
        return str(self.resolve(props["Name"])), text
